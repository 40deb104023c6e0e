// The REST client: fetch against the HAL API, every resource found from the entry point.
//
// As the Python client (clients/rest_client.py) does, it is given one URL, the entry point
// (config.rest), reads it once and finds every other resource from its links, expanding their
// RFC 6570 templates; the one URL part spelled here is the paging parameter of the stations
// collection, which the entry point does not template. Reads ask for application/hal+json;
// units travel as the API takes them (`?units=us`, nothing for SI, the canonical URL); writes
// send JSON in SI with `Authorization: Bearer KEY`. Errors (application/problem+json) become
// ApiError with the core's code. The live watch is an EventSource on the station's feed.

import { ApiError, Call, newExchange, statusLine } from "./exchange.js";
import { isoUtc, measurementsOf, nowInstant, number, observation, severity, unitSystem } from "./model.js";
import { expand } from "./uritemplate.js";

const HAL = "application/hal+json";
const TRANSPORT = "fetch";
const SSE = "EventSource (SSE)";
const PREFLIGHT_NOTE = "the browser sent a CORS preflight (OPTIONS) first: a write carries "
  + "Authorization and a JSON body";

// The core's code for a problem without one (an HTTP-level refusal), by status.
const STATUS_CODES = {
  400: "INVALID_ARGUMENT", 401: "UNAUTHENTICATED", 403: "PERMISSION_DENIED", 404: "NOT_FOUND",
  412: "FAILED_PRECONDITION", 413: "RESOURCE_EXHAUSTED", 429: "RESOURCE_EXHAUSTED",
  503: "UNAVAILABLE",
};

function unitsParam(units) {
  return units === "us" ? "us" : undefined;
}

function label(method, url) {
  const parsed = new URL(url);
  return `${method} ${decodeURIComponent(parsed.pathname)}${parsed.search}`;
}

function problemError(call, status, text) {
  let problem = {};
  try {
    problem = JSON.parse(text) ?? {};
  } catch {
    problem = {};
  }
  const code = typeof problem.code === "string" ? problem.code
    : STATUS_CODES[status] ?? (status >= 500 ? "INTERNAL" : "INVALID_ARGUMENT");
  const message = problem.detail || problem.title || statusLine(status);
  return call.error(code, message, problem);
}

function station(doc) {
  return { id: doc.id, name: doc.name, latitude: number(doc.latitude),
           longitude: number(doc.longitude), elevation: number(doc.elevation),
           timezone: doc.timezone };
}

function observationOf(doc) {
  return observation((name) => doc[name]);
}

function alert(doc) {
  return { id: doc.id, station_id: doc.station_id, event: doc.event,
           severity: severity(doc.severity), headline: doc.headline,
           description: doc.description, onset: isoUtc(doc.onset), ends: isoUtc(doc.ends) };
}

function daily(doc) {
  const units = unitSystem(doc.units);
  return doc.days.map((day) => ({
    station_id: doc.station_id, date: day.date,
    temperature_min: number(day.temperature_min), temperature_max: number(day.temperature_max),
    temperature_mean: number(day.temperature_mean),
    precipitation_total: number(day.precipitation_total),
    wind_gust_max: number(day.wind_gust_max),
    observation_count: number(day.observation_count), units,
  }));
}

function forecast(doc) {
  return {
    station_id: doc.station_id, issued_at: isoUtc(doc.issued_at), units: unitSystem(doc.units),
    periods: doc.periods.map((p) => ({
      number: number(p.number), name: p.name, start: isoUtc(p.start), end: isoUtc(p.end),
      temperature_high: number(p.temperature_high), temperature_low: number(p.temperature_low),
      precipitation_chance: number(p.precipitation_chance), wind_speed: number(p.wind_speed),
      wind_direction: number(p.wind_direction), summary: p.summary,
    })),
  };
}

export function createClient(config) {
  const entryUrl = config.rest;
  let entry = null;  // the entry point's links, read once

  async function request(call, method, url, { body = null, apiKey = null, note = "" } = {}) {
    const headers = [["Accept", HAL]];
    if (body !== null) headers.push(["Content-Type", "application/json"]);
    if (apiKey !== null) headers.push(["Authorization", `Bearer ${apiKey}`]);
    const { response, text } = await call.fetch({
      label: label(method, url), method, url, headers, note, transport: TRANSPORT,
      body: body === null ? null : JSON.stringify(body),
    });
    if (!response.ok) throw problemError(call, response.status, text);
    try {
      return JSON.parse(text);
    } catch {
      throw call.error("INTERNAL", `${label(method, url)} answered ${response.status} with a `
        + "body that is not JSON");
    }
  }

  async function links(call) {
    if (entry === null) {
      const doc = await request(call, "GET", entryUrl, { note: "the entry point, read once: "
        + "every other URL comes from its links" });
      entry = doc._links ?? {};
    }
    return entry;
  }

  async function target(call, rel, values = {}) {
    const found = (await links(call))[rel];
    const link = Array.isArray(found) ? found[0] : found;
    if (!link || typeof link.href !== "string") {
      throw call.error("INTERNAL", `the REST entry point does not link ${JSON.stringify(rel)}`);
    }
    const href = link.templated ? expand(link.href, values) : link.href;
    return new URL(href, entryUrl).href;
  }

  async function get(rel, values) {
    const call = new Call("rest");
    const url = await target(call, rel, values);
    return { call, doc: await request(call, "GET", url) };
  }

  return {
    protocol: "rest",
    title: "REST",
    route: `fetch → ${entryUrl}`,
    directNote: null,
    pushes: true,

    async stations() {
      const call = new Call("rest");
      const found = [];
      let url = await target(call, "stations");
      for (;;) {
        const doc = await request(call, "GET", url);
        found.push(...(doc._embedded?.stations ?? []).map(station));
        if (!doc.next_page_token) break;
        const next = new URL(url);
        next.searchParams.set("page_token", doc.next_page_token);
        url = next.href;
      }
      return call.done(found);
    },

    async latest(stationId, units = "si") {
      const { call, doc } = await get("latest-observation",
                                      { station_id: stationId, units: unitsParam(units) });
      return call.done(observationOf(doc));
    },

    async forecast(stationId, days = null, units = "si") {
      const { call, doc } = await get("forecast", { station_id: stationId, days,
                                                    units: unitsParam(units) });
      return call.done(forecast(doc));
    },

    async daily(stationId, startDate = null, endDate = null, units = "si") {
      const { call, doc } = await get("daily", { station_id: stationId, start: startDate,
                                                 end: endDate, units: unitsParam(units) });
      return call.done(daily(doc));
    },

    /** Alerts active at some time in [start, end) (ISO instants); by default, those active
     *  now or later (start = now). Every page is read. */
    async alerts(stationId, start = undefined, end = null) {
      const call = new Call("rest");
      const found = [];
      let pageToken = null;
      do {
        const url = await target(call, "find-alerts", {
          station: stationId, start: start === undefined ? nowInstant() : start, end,
          page_token: pageToken });
        const doc = await request(call, "GET", url);
        found.push(...(doc._embedded?.alerts ?? []).map(alert));
        pageToken = doc.next_page_token ?? null;
      } while (pageToken);
      return call.done(found);
    },

    async record(apiKey, toWrite) {
      const call = new Call("rest").hide(apiKey);
      const url = await target(call, "observation", {
        station_id: toWrite.station_id, observed_at: isoUtc(toWrite.observed_at) });
      const doc = await request(call, "PUT", url, { body: measurementsOf(toWrite), apiKey,
                                                   note: PREFLIGHT_NOTE });
      return call.done(observationOf(doc));
    },

    watch(stationIds, units = "si", handlers = {}) {
      const ids = [...stationIds];
      let source = null;
      let stopped = false;
      const call = new Call("rest");

      const fail = (error) => {
        if (!stopped) handlers.onError?.(error);
      };

      (async () => {
        const url = ids.length === 1
          ? await target(call, "station-live", { station_id: ids[0], units: unitsParam(units) })
          : await target(call, "live", { station: ids, units: unitsParam(units) });
        if (stopped) return;
        const opening = call.add({
          label: `${label("GET", url)} (live feed)`, transport: SSE, method: "GET", url,
          requestHeaders: [["Accept", "text/event-stream"]],
          note: "EventSource sets Accept itself and reconnects with Last-Event-ID",
        });
        const started = performance.now();
        let opened = false;
        source = new EventSource(url);
        source.addEventListener("open", () => {
          opened = true;
          opening.status = statusLine(200);
          opening.ms = performance.now() - started;
          opening.responseHeaders = [["Content-Type", "text/event-stream"]];
          handlers.onOpen?.(opening);
        });
        source.addEventListener("observation", (event) => {
          const raw = `id: ${event.lastEventId}\nevent: observation\ndata: ${event.data}\n\n`;
          const exchange = newExchange({
            protocol: "rest", label: "event: observation", transport: SSE, method: "GET", url,
            status: statusLine(200), responseBody: event.data,
            bytesReceived: new TextEncoder().encode(raw).length,
            note: "one event of the open stream (its bytes as the event's text)",
          });
          opening.bytesReceived += exchange.bytesReceived;
          const recorded = { sequence: Number(event.lastEventId),
                             observation: observationOf(JSON.parse(event.data)) };
          if (!stopped) handlers.onEvent?.(recorded, exchange);
        });
        source.addEventListener("problem", (event) => {
          let problem = {};
          try { problem = JSON.parse(event.data); } catch { problem = {}; }
          source.close();
          fail(new ApiError(problem.code ?? "UNAVAILABLE", problem.detail ?? "the feed ended",
                            { exchanges: call.exchanges, details: problem }));
        });
        source.addEventListener("error", async () => {
          if (source.readyState !== EventSource.CLOSED || stopped) return;
          if (opened) {
            fail(call.error("UNAVAILABLE", "the live feed was closed"));
            return;
          }
          // EventSource does not show why it could not open: ask once with fetch, which does.
          fail(await refusal(call, url));
        });
      })().catch(fail);

      return {
        stop() {
          stopped = true;
          source?.close();
        },
      };
    },
  };
}

/** The error a feed that would not open was refused with (its problem document). */
async function refusal(call, url) {
  try {
    const { response, text } = await call.fetch({
      label: label("GET", url), url, headers: [["Accept", "text/event-stream"]],
      onlyErrorBodies: true, note: "asked again with fetch to read why the feed did not open",
    });
    if (!response.ok) return problemError(call, response.status, text);
    return call.error("UNAVAILABLE", "the live feed could not be opened");
  } catch (error) {
    return error instanceof ApiError ? error : call.error("UNAVAILABLE", String(error));
  }
}
