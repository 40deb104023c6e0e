// The gRPC client: gRPC-Web through Envoy (config.grpcWeb), with Connect's gRPC-Web transport
// (binary protobuf over fetch) and the service described at run time from the descriptor set
// the server's .proto compiles to (static/proto/fourcast.binpb; no generated code).
//
// A page cannot call the gRPC server (config.grpc) itself: a browser gives a page no control
// of HTTP/2 frames, no response trailers (where gRPC puts its status) and no cleartext HTTP/2.
// gRPC-Web carries the same messages in HTTP/1.1 or HTTP/2 requests fetch can make, trailers
// moved into the body; Envoy translates to gRPC. Requests and answers are shown as protobuf
// JSON, decoded from the binary that went on the wire; errors with their google.rpc details
// (grpc-status-details-bin). Writes carry `authorization: Bearer KEY` metadata, as the Python
// client sends it; the watch is the WatchObservations server stream, as the Python client's.

import { Call, newExchange } from "./exchange.js";
import { MEASUREMENTS, STATUS_CODES, isoUtc, measurementsOf, nowInstant, unitSystem } from "./model.js";
import {
  ConnectError, FileDescriptorSetSchema, create, createConnectClient, createFileRegistry,
  createGrpcWebTransport, fromBinary, timestampFromDate, toJson,
} from "../../vendor/vendor.js";

const SERVICE = "fourcast.weather.v1.WeatherService";
const DESCRIPTORS = new URL("../../proto/fourcast.binpb", import.meta.url);
const TRANSPORT = "gRPC-Web via Envoy";
const TIMEOUT_MS = 30000;  // every unary call has a deadline (grpc-timeout), as the Python one
const UNITS = { si: 1, us: 2 };
export const DIRECT_NOTE = "A page cannot call the gRPC server directly: gRPC needs HTTP/2 with "
  + "response trailers (its status travels in them), and a browser gives a page neither "
  + "control of HTTP/2 nor access to trailers (nor cleartext HTTP/2 at all). gRPC-Web moves the "
  + "trailers into the response body so fetch can carry it; Envoy, beside the gRPC server, "
  + "translates.";

let registryPromise = null;

/** The registry of the descriptor set, fetched once per page. */
export function registry() {
  registryPromise ??= (async () => {
    const response = await fetch(DESCRIPTORS);
    if (!response.ok) throw new Error(`${DESCRIPTORS}: ${response.status}`);
    const set = fromBinary(FileDescriptorSetSchema, new Uint8Array(await response.arrayBuffer()));
    return createFileRegistry(set);
  })();
  registryPromise.catch(() => { registryPromise = null; });
  return registryPromise;
}

function pretty(schema, message, reg) {
  return JSON.stringify(toJson(schema, message, { registry: reg }), null, 2);
}

function idOf(name) {
  return String(name ?? "").split("/")[1] ?? null;
}

function optional(value) {
  return value === undefined ? null : value;
}

function instant(timestamp) {
  if (!timestamp) return null;
  return isoUtc(new Date(Number(timestamp.seconds) * 1000 + Math.floor(timestamp.nanos / 1e6)));
}

function observationOf(o) {
  const result = { station_id: idOf(o.station), observed_at: instant(o.observeTime) };
  for (const name of MEASUREMENTS) {
    result[name] = optional(o[name.replace(/_([a-z])/g, (_, c) => c.toUpperCase())]);
  }
  result.units = unitSystem(o.units === UNITS.us ? "us" : "si");
  return result;
}

function day(date) {
  const pad = (n, width) => String(n).padStart(width, "0");
  return `${pad(date.year, 4)}-${pad(date.month, 2)}-${pad(date.day, 2)}`;
}

function statusOf(code) {
  return `grpc-status ${code} ${STATUS_CODES[code] ?? "UNKNOWN"}`;
}

export function createClient(config) {
  const baseUrl = config.grpcWeb;
  let severities = null;  // Severity enum number -> the core's spelling

  async function setup() {
    const reg = await registry();
    const service = reg.getService(SERVICE);
    if (!service) throw new Error(`${SERVICE} is not in ${DESCRIPTORS}`);
    severities ??= new Map(reg.getEnum("fourcast.weather.v1.Severity").values.map((v) => {
      const word = v.name.replace("SEVERITY_", "").toLowerCase();
      return [v.number, word.charAt(0).toUpperCase() + word.slice(1)];
    }));
    return { reg, service };
  }

  /** One RPC, recorded: `init` is the request message (fields in protobuf-es's names). */
  async function rpc(call, name, init, { apiKey = null, handle = null, signal } = {}) {
    const { reg, service } = await setup();
    const method = service.methods.find((m) => m.name === name);
    const request = create(method.input, init);
    const headers = apiKey === null ? {} : { authorization: `Bearer ${apiKey}` };
    const transport = createGrpcWebTransport({
      baseUrl, useBinaryFormat: true,
      fetch: call.recordingFetch({
        label: `WeatherService/${name}`, transport: TRANSPORT,
        note: "the request went as binary protobuf in a gRPC-Web frame; shown decoded as "
          + "protobuf JSON (so is the answer); a CORS preflight (OPTIONS) went first",
      }),
    });
    const client = createConnectClient(service, transport);
    const trailers = [];
    const options = {
      headers, signal, timeoutMs: method.methodKind === "unary" ? TIMEOUT_MS : undefined,
      onTrailer: (t) => trailers.push(...[...t.entries()].map(([k, v]) => [`(trailer) ${k}`, v])),
      onHeader: handle?.onHeader,
    };
    const exchangeIndex = call.exchanges.length;
    const finish = (status, body) => {
      const exchange = call.exchanges[exchangeIndex];
      if (!exchange) return;
      exchange.method = "POST";
      exchange.requestBody = call.redact(pretty(method.input, request, reg));
      exchange.status = status;
      exchange.responseHeaders.push(...trailers);
      if (body !== undefined) exchange.responseBody = body;
    };
    try {
      const localName = method.localName;
      if (method.methodKind === "server_streaming") {
        await handle.consume(client[localName](request, options), (message) => {
          // the opening exchange shows the latest message (a stream may run for hours)
          const shown = pretty(method.output, message, reg);
          call.exchanges[exchangeIndex].responseBody = shown;
          return shown;
        });
        finish(statusOf(0));
        return null;
      }
      const answer = await client[localName](request, options);
      finish(statusOf(0), pretty(method.output, answer, reg));
      return answer;
    } catch (error) {
      const failure = ConnectError.from(error);
      const details = failure.findDetails(reg).map((d) => ({
        "@type": `type.googleapis.com/${d.$typeName}`,
        ...toJson(reg.getMessage(d.$typeName), d, { registry: reg }),
      }));
      const code = STATUS_CODES[failure.code] ?? "UNKNOWN";
      finish(statusOf(failure.code), JSON.stringify({
        code, message: failure.rawMessage, details }, null, 2));
      throw call.error(code === "DEADLINE_EXCEEDED" ? "UNAVAILABLE" : code,
                       failure.rawMessage, { code, details });
    }
  }

  async function pages(call, name, init, field) {
    const found = [];
    let pageToken = "";
    do {
      const answer = await rpc(call, name, { ...init, pageToken });
      found.push(...answer[field]);
      pageToken = answer.nextPageToken;
    } while (pageToken);
    return found;
  }

  const station = (s) => ({ id: idOf(s.name), name: s.displayName, latitude: s.latitude,
                            longitude: s.longitude, elevation: s.elevation,
                            timezone: s.timeZone });
  const alert = (a) => ({ id: String(a.name).replace(/^alerts\//, ""),
                          station_id: idOf(a.station), event: a.event,
                          severity: severities.get(a.severity) ?? String(a.severity),
                          headline: a.headline, description: a.description,
                          onset: instant(a.onsetTime), ends: instant(a.endTime) });
  const timestamp = (iso) => (iso ? timestampFromDate(new Date(iso)) : undefined);

  return {
    protocol: "grpc",
    title: "gRPC",
    route: `gRPC-Web (fetch) → Envoy ${baseUrl} → gRPC ${config.grpc}`,
    directNote: DIRECT_NOTE,
    pushes: true,

    async stations() {
      const call = new Call("grpc");
      return call.done((await pages(call, "ListStations", {}, "stations")).map(station));
    },

    async latest(stationId, units = "si") {
      const call = new Call("grpc");
      const answer = await rpc(call, "GetLatestObservation",
                               { parent: `stations/${stationId}`, units: UNITS[units] });
      return call.done(observationOf(answer));
    },

    async forecast(stationId, days = null, units = "si") {
      const call = new Call("grpc");
      const init = { name: `stations/${stationId}/forecast`, units: UNITS[units] };
      if (days !== null && days !== undefined) init.days = days;
      const f = await rpc(call, "GetForecast", init);
      return call.done({
        station_id: idOf(f.name), issued_at: instant(f.issueTime), units: unitSystem(
          f.units === UNITS.us ? "us" : "si"),
        periods: f.periods.map((p) => ({
          number: p.number, name: p.displayName, start: instant(p.startTime),
          end: instant(p.endTime), temperature_high: optional(p.temperatureHigh),
          temperature_low: optional(p.temperatureLow),
          precipitation_chance: optional(p.precipitationChance),
          wind_speed: optional(p.windSpeed), wind_direction: optional(p.windDirection),
          summary: p.summary,
        })),
      });
    },

    async daily(stationId, startDate = null, endDate = null, units = "si") {
      const call = new Call("grpc");
      const date = (text) => {
        if (!text) return undefined;
        const [year, month, dayOfMonth] = text.split("-").map(Number);
        return { year, month, day: dayOfMonth };
      };
      const answer = await rpc(call, "ListDailySummaries", {
        parent: `stations/${stationId}`, units: UNITS[units], startDate: date(startDate),
        endDate: date(endDate) });
      return call.done(answer.dailySummaries.map((d) => ({
        station_id: idOf(d.station), date: day(d.date),
        temperature_min: optional(d.temperatureMin), temperature_max: optional(d.temperatureMax),
        temperature_mean: optional(d.temperatureMean),
        precipitation_total: optional(d.precipitationTotal),
        wind_gust_max: optional(d.windGustMax), observation_count: d.observationCount,
        units: d.units === UNITS.us ? "us" : "si",
      })));
    },

    /** Alerts active at some time in [start, end); by default those active now or later. */
    async alerts(stationId, start = undefined, end = null) {
      const call = new Call("grpc");
      const found = await pages(call, "ListAlerts", {
        parent: `stations/${stationId}`,
        startTime: timestamp(start === undefined ? nowInstant() : start),
        endTime: timestamp(end) }, "alerts");
      return call.done(found.map(alert));
    },

    async record(apiKey, toWrite) {
      const call = new Call("grpc").hide(apiKey);
      const measured = measurementsOf(toWrite);
      const observation = { station: `stations/${toWrite.station_id}`,
                            observeTime: timestamp(toWrite.observed_at), units: UNITS.si };
      for (const name of MEASUREMENTS) {
        if (measured[name] !== null) {
          observation[name.replace(/_([a-z])/g, (_, c) => c.toUpperCase())] = measured[name];
        }
      }
      const answer = await rpc(call, "PutObservation", { observation }, { apiKey });
      return call.done(observationOf(answer.observation));
    },

    watch(stationIds, units = "si", handlers = {}) {
      const call = new Call("grpc");
      const controller = new AbortController();
      let stopped = false;
      const fail = (error) => {
        if (!stopped) handlers.onError?.(error);
      };
      const handle = {
        onHeader: (headers) => {
          // the server opens the watch before it answers with its headers (fourcast-watch:
          // open, where Envoy exposes it to the page); from then on nothing recorded is missed
          const exchange = call.exchanges[0];
          if (exchange) exchange.status = "stream open";
          if (!stopped) handlers.onOpen?.(exchange, headers);
        },
        consume: async (stream, show) => {
          for await (const recorded of stream) {
            const shown = show(recorded);
            const opening = call.exchanges[0];
            const exchange = newExchange({
              protocol: "grpc", label: "WeatherService/WatchObservations (message)",
              transport: TRANSPORT, method: "stream message", url: opening.url,
              status: "message", responseBody: shown,
              bytesReceived: opening.progress?.() ?? 0,
              note: "one message of the open server stream, decoded (bytes: the whole "
                + "stream's so far)",
            });
            if (!stopped) {
              handlers.onEvent?.({ sequence: Number(recorded.sequence),
                                   observation: observationOf(recorded.observation) },
                                 exchange);
            }
          }
        },
      };
      rpc(call, "WatchObservations", {
        stations: [...stationIds].map((id) => `stations/${id}`), units: UNITS[units],
      }, { handle, signal: controller.signal }).then(() => {
        fail(call.error("UNAVAILABLE", "the watch stream ended"));
      }, (error) => {
        if (!stopped) fail(error);
      });
      return {
        stop() {
          stopped = true;
          controller.abort();
        },
      };
    },
  };
}
