// The GraphQL client: fetch POSTs of application/json GraphQL requests, and graphql-ws
// (graphql-transport-ws) on config.graphqlWs for the live watch.
//
// The documents are the Python client's (clients/graphql_documents.py), character for
// character, so the server's document caches see the same few; arguments always travel as
// variables. Errors come back by `extensions.code` (docs/errors.md) and become ApiError with
// the core's code. The watch is opened as the Python client opens it: one query reads the
// change sequence (and lets the core check the stations and units), then the subscription
// asks for everything recorded after it, so nothing written in between is missed.

import { ApiError, Call, byteLength, newExchange } from "./exchange.js";
import { MEASUREMENTS, isoUtc, measurementsOf, nowInstant, number, observation, severity, unitSystem } from "./model.js";
import { createGraphQLWsClient } from "../../vendor/vendor.js";

const STATION = "id name latitude longitude elevation timezone";
const OBSERVATION = "stationId observedAt temperature dewpoint relativeHumidity windSpeed "
  + "windDirection windGust precipitationLastHour seaLevelPressure visibility units";
const ALERT = "id stationId event severity headline description onset ends";
const PAGE_INFO = "pageInfo { startCursor endCursor }";

/** The documents sent, as clients/graphql_documents.py spells them. */
export const DOCUMENTS = Object.freeze({
  LIST_STATIONS: `
query ListStations($first: Int, $after: String) {
  stations(first: $first, after: $after) { edges { node { ${STATION} } } ${PAGE_INFO} }
}`,
  LATEST_OBSERVATION: `
query LatestObservation($stationId: String!, $units: UnitSystem!) {
  latestObservation(stationId: $stationId, units: $units) { ${OBSERVATION} }
}`,
  PUT_OBSERVATION: `
mutation PutObservation($observation: ObservationInput!, $ifMatch: String) {
  putObservation(observation: $observation, ifMatch: $ifMatch) {
    observation { ${OBSERVATION} } created version }
}`,
  DAILY_SUMMARIES: `
query DailySummaries($stationId: String!, $start: Date, $end: Date, $units: UnitSystem!) {
  station(id: $stationId) {
    daily(start: $start, end: $end, units: $units) {
      stationId date temperatureMin temperatureMax temperatureMean precipitationTotal
      windGustMax observationCount units }
  }
}`,
  FORECAST: `
query Forecast($stationId: String!, $days: Int, $units: UnitSystem!) {
  station(id: $stationId) {
    forecast(days: $days, units: $units) {
      stationId issuedAt units
      periods { number name start end temperatureHigh temperatureLow precipitationChance
                windSpeed windDirection summary } }
  }
}`,
  LIST_ALERTS: `
query ListAlerts($stationId: String, $start: DateTime, $end: DateTime, $first: Int,
                 $after: String) {
  alerts(stationId: $stationId, start: $start, end: $end, first: $first, after: $after) {
    edges { node { ${ALERT} } } ${PAGE_INFO} }
}`,
  WATCH_START: `
query WatchStart($stationIds: [String!]!, $units: UnitSystem!) {
  changeSequence
  check: observationsSince(afterSequence: 2147483647, stationIds: $stationIds, units: $units,
                           first: 1) { sequence }
}`,
  OBSERVATION_RECORDED: `
subscription ObservationRecorded($stationIds: [String!]!, $units: UnitSystem!,
                                 $afterSequence: Int) {
  observationRecorded(stationIds: $stationIds, units: $units, afterSequence: $afterSequence) {
    sequence observation { ${OBSERVATION} } }
}`,
});

// extensions.code -> the core's code (as clients/graphql_client.py's CODES)
const CODES = {
  NOT_FOUND: "NOT_FOUND", BAD_USER_INPUT: "INVALID_ARGUMENT",
  GRAPHQL_PARSE_FAILED: "INVALID_ARGUMENT", GRAPHQL_VALIDATION_FAILED: "INVALID_ARGUMENT",
  BAD_REQUEST: "INVALID_ARGUMENT", FAILED_PRECONDITION: "FAILED_PRECONDITION",
  UNAUTHENTICATED: "UNAUTHENTICATED", FORBIDDEN: "PERMISSION_DENIED",
  RESOURCE_EXHAUSTED: "RESOURCE_EXHAUSTED", QUERY_TOO_COSTLY: "RESOURCE_EXHAUSTED",
  INTERNAL_SERVER_ERROR: "INTERNAL",
};
const WS = "WebSocket (graphql-transport-ws)";
const PREFLIGHT_NOTE = "a CORS preflight (OPTIONS) went first: the body is application/json";

function camel(name) {
  return name.replace(/_([a-z])/g, (_, c) => c.toUpperCase());
}

function operationLabel(document) {
  const match = /^\s*(query|mutation|subscription)\s+(\w+)/.exec(document);
  return match ? `${match[1]} ${match[2]}` : "query";
}

function gqlUnits(units) {
  return units === "us" ? "US" : "SI";
}

function errorOf(call, errors) {
  const first = errors?.[0] ?? {};
  const extensions = first.extensions ?? {};
  const code = CODES[extensions.code] ?? "INTERNAL";
  return call.error(code, first.message ?? "the GraphQL request failed", first);
}

function observationOf(data) {
  return observation((name) => data[camel(name)]);
}

function station(data) {
  return { id: data.id, name: data.name, latitude: number(data.latitude),
           longitude: number(data.longitude), elevation: number(data.elevation),
           timezone: data.timezone };
}

function alert(data) {
  return { id: data.id, station_id: data.stationId, event: data.event,
           severity: severity(data.severity), headline: data.headline,
           description: data.description, onset: isoUtc(data.onset), ends: isoUtc(data.ends) };
}

export function createClient(config) {
  const url = config.graphql;

  async function run(call, document, variables, { apiKey = null } = {}) {
    const headers = [["Content-Type", "application/json"],
                     ["Accept", "application/graphql-response+json, application/json"]];
    if (apiKey !== null) headers.push(["Authorization", `Bearer ${apiKey}`]);
    const body = JSON.stringify({ query: document, variables });
    const { response, text } = await call.fetch({
      label: operationLabel(document), method: "POST", url, headers, body,
      note: PREFLIGHT_NOTE,
    });
    let answer;
    try {
      answer = JSON.parse(text);
    } catch {
      throw call.error(response.status >= 500 ? "INTERNAL" : "INVALID_ARGUMENT",
                       `the GraphQL server answered ${response.status} without a JSON body`);
    }
    if (answer.errors?.length) throw errorOf(call, answer.errors);
    if (!response.ok || !answer.data) {
      throw call.error("INTERNAL", `the GraphQL server answered ${response.status} without data`);
    }
    return answer.data;
  }

  async function paged(call, document, variables, field) {
    const found = [];
    let after = null;
    do {
      const data = await run(call, document, { ...variables, after });
      found.push(...data[field].edges.map((edge) => edge.node));
      after = data[field].pageInfo.endCursor;
    } while (after);
    return found;
  }

  return {
    protocol: "graphql",
    title: "GraphQL",
    route: `fetch → ${url} (POST); subscriptions: WebSocket → ${config.graphqlWs}`,
    directNote: null,
    pushes: true,

    async stations() {
      const call = new Call("graphql");
      const nodes = await paged(call, DOCUMENTS.LIST_STATIONS, { first: null }, "stations");
      return call.done(nodes.map(station));
    },

    async latest(stationId, units = "si") {
      const call = new Call("graphql");
      const data = await run(call, DOCUMENTS.LATEST_OBSERVATION,
                             { stationId, units: gqlUnits(units) });
      return call.done(observationOf(data.latestObservation));
    },

    async forecast(stationId, days = null, units = "si") {
      const call = new Call("graphql");
      const data = await run(call, DOCUMENTS.FORECAST,
                             { stationId, days, units: gqlUnits(units) });
      const f = data.station.forecast;
      return call.done({
        station_id: f.stationId, issued_at: isoUtc(f.issuedAt), units: unitSystem(f.units),
        periods: f.periods.map((p) => ({
          number: number(p.number), name: p.name, start: isoUtc(p.start), end: isoUtc(p.end),
          temperature_high: number(p.temperatureHigh), temperature_low: number(p.temperatureLow),
          precipitation_chance: number(p.precipitationChance), wind_speed: number(p.windSpeed),
          wind_direction: number(p.windDirection), summary: p.summary,
        })),
      });
    },

    async daily(stationId, startDate = null, endDate = null, units = "si") {
      const call = new Call("graphql");
      const data = await run(call, DOCUMENTS.DAILY_SUMMARIES,
                             { stationId, start: startDate, end: endDate, units: gqlUnits(units) });
      return call.done(data.station.daily.map((d) => ({
        station_id: d.stationId, date: d.date, temperature_min: number(d.temperatureMin),
        temperature_max: number(d.temperatureMax), temperature_mean: number(d.temperatureMean),
        precipitation_total: number(d.precipitationTotal), wind_gust_max: number(d.windGustMax),
        observation_count: number(d.observationCount), units: unitSystem(d.units),
      })));
    },

    /** Alerts active at some time in [start, end); by default those active now or later. */
    async alerts(stationId, start = undefined, end = null) {
      const call = new Call("graphql");
      const nodes = await paged(call, DOCUMENTS.LIST_ALERTS, {
        stationId, start: start === undefined ? nowInstant() : start, end, first: null,
      }, "alerts");
      return call.done(nodes.map(alert));
    },

    async record(apiKey, toWrite) {
      const call = new Call("graphql").hide(apiKey);
      const measured = measurementsOf(toWrite);
      const input = { stationId: toWrite.station_id, observedAt: isoUtc(toWrite.observed_at),
                      ...Object.fromEntries(MEASUREMENTS.map((m) => [camel(m), measured[m]])) };
      const data = await run(call, DOCUMENTS.PUT_OBSERVATION,
                             { observation: input, ifMatch: null }, { apiKey });
      return call.done(observationOf(data.putObservation.observation));
    },

    watch(stationIds, units = "si", handlers = {}) {
      const call = new Call("graphql");
      let stopped = false;
      let client = null;
      let unsubscribe = null;
      const fail = (error) => {
        if (!stopped) handlers.onError?.(error);
      };

      (async () => {
        const variables = { stationIds: [...stationIds], units: gqlUnits(units) };
        const start = await run(call, DOCUMENTS.WATCH_START, variables);
        if (stopped) return;
        const payload = { query: DOCUMENTS.OBSERVATION_RECORDED,
                          variables: { ...variables, afterSequence: start.changeSequence } };
        const opening = call.add({
          label: operationLabel(DOCUMENTS.OBSERVATION_RECORDED), transport: WS,
          method: "GET (Upgrade: websocket)", url: config.graphqlWs,
          requestHeaders: [["Sec-WebSocket-Protocol", "graphql-transport-ws"]],
          requestBody: JSON.stringify({ type: "subscribe", payload }, null, 2),
          bytesSent: byteLength(JSON.stringify({ id: "0", type: "subscribe", payload })),
          note: "messages as JSON text frames (bytes: the messages' text, without framing); "
            + "the browser sends the Origin, which the server checks",
        });
        const started = performance.now();
        client = createGraphQLWsClient({
          url: config.graphqlWs,
          lazy: false,
          retryAttempts: 0,
          on: {
            connected: () => {
              opening.status = "101 Switching Protocols, connection_ack";
              opening.ms = performance.now() - started;
              handlers.onOpen?.(opening);
            },
            closed: (event) => {
              if (!stopped && event?.code !== 1000) {
                fail(call.error("UNAVAILABLE", `the subscription's WebSocket closed (${event?.code ?? "?"}`
                  + `${event?.reason ? `: ${event.reason}` : ""})`));
              }
            },
          },
        });
        unsubscribe = client.subscribe(payload, {
          next: (message) => {
            if (message.errors?.length) {
              fail(errorOf(call, message.errors));
              return;
            }
            const event = message.data.observationRecorded;
            const text = JSON.stringify({ type: "next", payload: message });
            const exchange = newExchange({
              protocol: "graphql", label: "next (observationRecorded)", transport: WS,
              method: "WebSocket message", url: config.graphqlWs, status: "next",
              responseBody: JSON.stringify(message, null, 2), bytesReceived: byteLength(text),
              note: "one message of the open subscription (bytes: its JSON text)",
            });
            opening.bytesReceived += exchange.bytesReceived;
            if (!stopped) {
              handlers.onEvent?.({ sequence: number(event.sequence),
                                   observation: observationOf(event.observation) }, exchange);
            }
          },
          error: (error) => {
            if (Array.isArray(error)) fail(errorOf(call, error));
            else if (error instanceof ApiError) fail(error);
            else fail(call.error("UNAVAILABLE", `the subscription failed: ${error?.reason
              || error?.message || error?.code || error}`));
          },
          complete: () => {},
        });
      })().catch(fail);

      return {
        stop() {
          stopped = true;
          unsubscribe?.();
          client?.dispose();
        },
      };
    },
  };
}
