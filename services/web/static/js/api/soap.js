// The SOAP client: POSTs the SOAP 1.1 envelopes the WSDL describes (document/literal) and
// reads the answers and faults with DOMParser.
//
// The envelopes are the ones zeep sends for the Python client (clients/soap_client.py): the
// operation's element in urn:fourcast:weather:v1 with its parts in the WSDL's order, an absent
// element for "not given" (a measurement not measured), `Content-Type: text/xml;
// charset=utf-8` and the quoted SOAPAction. A write carries the API key in a WS-Security
// UsernameToken (PasswordText) with a fresh Nonce and Created in every message: the server
// accepts each message once. Faults map to the core's codes as the Python client maps them.
// SOAP has no push: watch() polls GetObservationsSince from GetCurrentSequence, as the
// Python client's observations_since() does.

import { Call } from "./exchange.js";
import { MEASUREMENTS, isoUtc, measurementsOf, nowInstant, number, observation, severity, unitSystem } from "./model.js";

const SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/";
const TNS = "urn:fourcast:weather:v1";
const WSSE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd";
const WSU = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd";
const PASSWORD_TEXT = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordText";
const BASE64_BINARY = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary";
const POLL_MS = 1000;
const POLLING = "fetch (polling)";

// Fault codes -> the core's codes (clients/soap_client.py: error_of); an unknown Client.*
// fault is INVALID_ARGUMENT, an unknown Server.* one INTERNAL.
const FAULTS = {
  "Client.NotFound": "NOT_FOUND", "Client.InvalidArgument": "INVALID_ARGUMENT",
  "Client.FailedPrecondition": "FAILED_PRECONDITION", "Client.Unauthenticated": "UNAUTHENTICATED",
  "Client.PermissionDenied": "PERMISSION_DENIED", "Client.ResourceExhausted": "RESOURCE_EXHAUSTED",
  "Server.ResourceExhausted": "RESOURCE_EXHAUSTED", "Server.Internal": "INTERNAL",
};

function camel(name) {
  return name.replace(/_([a-z])/g, (_, c) => c.toUpperCase());
}

function escapeXml(text) {
  return String(text).replace(/[&<>"']/g, (c) => ({
    "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;" }[c]));
}

/** The elements of one part list, in order; null and undefined values are left out. A value
 *  may be an array of [name, value] pairs (a complex type) or a list of them (an array). */
function elements(parts) {
  return parts.filter(([, value]) => value !== null && value !== undefined)
    .map(([name, value]) => {
      const inner = Array.isArray(value) ? elements(value) : escapeXml(value);
      return `<ns0:${name}>${inner}</ns0:${name}>`;
    }).join("");
}

function base64(bytes) {
  return btoa(String.fromCharCode(...bytes));
}

/** A WS-Security header with a PasswordText UsernameToken, fresh Nonce and Created. */
function securityHeader(apiKey) {
  const nonce = base64(crypto.getRandomValues(new Uint8Array(16)));
  return `<soap-env:Header><wsse:Security xmlns:wsse="${WSSE}"><wsse:UsernameToken>`
    + "<wsse:Username>api-key</wsse:Username>"
    + `<wsse:Password Type="${PASSWORD_TEXT}">${escapeXml(apiKey)}</wsse:Password>`
    + `<wsse:Nonce EncodingType="${BASE64_BINARY}">${nonce}</wsse:Nonce>`
    + `<wsu:Created xmlns:wsu="${WSU}">${nowInstant()}</wsu:Created>`
    + "</wsse:UsernameToken></wsse:Security></soap-env:Header>";
}

/** The envelope of `operation` with its parts (as zeep spells it). */
export function envelope(operation, parts, apiKey = null) {
  return `<soap-env:Envelope xmlns:soap-env="${SOAP_ENV}">`
    + (apiKey === null ? "" : securityHeader(apiKey))
    + `<soap-env:Body><ns0:${operation} xmlns:ns0="${TNS}">${elements(parts)}</ns0:${operation}>`
    + "</soap-env:Body></soap-env:Envelope>";
}

// -- reading answers ------------------------------------------------------------------------

function children(element, name = null) {
  return [...(element?.children ?? [])].filter((c) => name === null || c.localName === name);
}

function child(element, name) {
  return children(element, name)[0] ?? null;
}

function text(element, name) {
  const found = child(element, name);
  return found === null ? null : found.textContent;
}

/** A reader of one core field from an element with the same fields in camelCase. */
function reader(element) {
  return (name) => text(element, camel(name));
}

function observationOf(element) {
  return observation(reader(element));
}

function station(e) {
  return { id: text(e, "id"), name: text(e, "name"), latitude: number(text(e, "latitude")),
           longitude: number(text(e, "longitude")), elevation: number(text(e, "elevation")),
           timezone: text(e, "timezone") };
}

function alert(e) {
  return { id: text(e, "id"), station_id: text(e, "stationId"), event: text(e, "event"),
           severity: severity(text(e, "severity")), headline: text(e, "headline"),
           description: text(e, "description"), onset: isoUtc(text(e, "onset")),
           ends: isoUtc(text(e, "ends")) };
}

function summary(e) {
  return {
    station_id: text(e, "stationId"), date: text(e, "date"),
    temperature_min: number(text(e, "temperatureMin")),
    temperature_max: number(text(e, "temperatureMax")),
    temperature_mean: number(text(e, "temperatureMean")),
    precipitation_total: number(text(e, "precipitationTotal")),
    wind_gust_max: number(text(e, "windGustMax")),
    observation_count: number(text(e, "observationCount")), units: unitSystem(text(e, "units")),
  };
}

function period(e) {
  return {
    number: number(text(e, "number")), name: text(e, "name"), start: isoUtc(text(e, "start")),
    end: isoUtc(text(e, "end")), temperature_high: number(text(e, "temperatureHigh")),
    temperature_low: number(text(e, "temperatureLow")),
    precipitation_chance: number(text(e, "precipitationChance")),
    wind_speed: number(text(e, "windSpeed")), wind_direction: number(text(e, "windDirection")),
    summary: text(e, "summary"),
  };
}

function faultError(call, fault) {
  const code = (text(fault, "faultcode") ?? "").split(":").pop();
  const message = text(fault, "faultstring") ?? "SOAP Fault";
  const detail = child(fault, "detail");
  const coreCode = FAULTS[code] ?? (code.startsWith("Client") ? "INVALID_ARGUMENT" : "INTERNAL");
  const violations = children(child(detail, "violations"), "violation").map((v) => ({
    field: text(v, "field"), description: text(v, "description") }));
  const resource = child(detail, "resource");
  return call.error(coreCode, message, {
    faultcode: code, violations,
    resource: resource ? { type: text(resource, "type"), name: text(resource, "name") } : null,
  });
}

export function createClient(config) {
  const url = config.soap;

  /** Calls `operation`; resolves to its Result element (null when the answer has none). */
  async function call(c, operation, parts, { apiKey = null, transport = "fetch" } = {}) {
    const body = envelope(operation, parts, apiKey);
    const { response, text: answer, exchange } = await c.fetch({
      label: operation, method: "POST", url, body, transport,
      headers: [["Content-Type", "text/xml; charset=utf-8"], ["SOAPAction", `"${operation}"`]],
      note: "a CORS preflight (OPTIONS) went first: text/xml and SOAPAction are not a simple "
        + "request",
    });
    const doc = new DOMParser().parseFromString(answer, "text/xml");
    const bodyElement = [...doc.getElementsByTagNameNS(SOAP_ENV, "Body")][0];
    const first = bodyElement ? children(bodyElement)[0] : null;
    if (!first) {
      exchange.status = `${exchange.status} (not a SOAP envelope)`;
      throw c.error(response.status >= 500 ? "INTERNAL" : "INVALID_ARGUMENT",
                    `${operation} answered ${response.status} without a SOAP envelope`);
    }
    if (first.localName === "Fault") {
      exchange.status = `${exchange.status}, SOAP Fault`;
      throw faultError(c, first);
    }
    return child(first, `${operation}Result`);
  }

  async function paged(c, operation, parts, wrapper, item) {
    const found = [];
    let pageToken = null;
    do {
      const result = await call(c, operation, [...parts, ["pageToken", pageToken]]);
      found.push(...children(child(result, wrapper), item));
      pageToken = text(result, "nextPageToken");
    } while (pageToken);
    return found;
  }

  return {
    protocol: "soap",
    title: "SOAP",
    route: `fetch POST (text/xml envelope) → ${url}`,
    directNote: null,
    pushes: false,
    pollInterval: POLL_MS,

    async stations() {
      const c = new Call("soap");
      const items = await paged(c, "ListStations", [["pageSize", null]], "stations", "Station");
      return c.done(items.map(station));
    },

    async latest(stationId, units = "si") {
      const c = new Call("soap");
      const result = await call(c, "GetLatestObservation",
                                [["stationId", stationId], ["units", units]]);
      return c.done(observationOf(result));
    },

    async forecast(stationId, days = null, units = "si") {
      const c = new Call("soap");
      const x = await call(c, "GetForecast",
                           [["stationId", stationId], ["days", days], ["units", units]]);
      return c.done({
        station_id: text(x, "stationId"), issued_at: isoUtc(text(x, "issuedAt")),
        units: unitSystem(text(x, "units")),
        periods: children(child(x, "periods"), "ForecastPeriod").map(period),
      });
    },

    async daily(stationId, startDate = null, endDate = null, units = "si") {
      const c = new Call("soap");
      const result = await call(c, "ListDailySummaries", [
        ["stationId", stationId], ["start", startDate], ["end", endDate], ["units", units]]);
      return c.done(children(result, "DailySummary").map(summary));
    },

    /** Alerts active at some time in [start, end); by default those active now or later. */
    async alerts(stationId, start = undefined, end = null) {
      const c = new Call("soap");
      const items = await paged(c, "ListAlerts", [
        ["stationId", stationId], ["start", start === undefined ? nowInstant() : start],
        ["end", end], ["pageSize", null]], "alerts", "Alert");
      return c.done(items.map(alert));
    },

    async record(apiKey, toWrite) {
      const c = new Call("soap").hide(apiKey);
      const measured = measurementsOf(toWrite);
      const input = [["stationId", toWrite.station_id],
                     ["observedAt", isoUtc(toWrite.observed_at)],
                     ...MEASUREMENTS.map((m) => [camel(m), measured[m]])];
      const result = await call(c, "PutObservation", [["observation", input]], { apiKey });
      return c.done(observationOf(child(result, "observation")));
    },

    /** Polls GetObservationsSince every POLL_MS from the current sequence (SOAP cannot push);
     *  handlers.onPoll(exchange), if given, sees every poll. */
    watch(stationIds, units = "si", handlers = {}) {
      let stopped = false;
      let timer = null;
      const ids = [...stationIds];
      const fail = (error) => {
        if (!stopped) handlers.onError?.(error);
      };

      const poll = async (sequence) => {
        if (stopped) return;
        const c = new Call("soap");
        let next = sequence;
        try {
          const result = await call(c, "GetObservationsSince", [
            ["sequence", sequence], ["stationIds", ids.map((id) => ["StationId", id])],
            ["units", units]], { transport: POLLING });
          const exchange = c.exchanges[c.exchanges.length - 1];
          handlers.onPoll?.(exchange);
          for (const item of children(result, "RecordedObservation")) {
            const recorded = { sequence: number(text(item, "sequence")),
                               observation: observationOf(child(item, "observation")) };
            next = Math.max(next, recorded.sequence);
            if (!stopped) handlers.onEvent?.(recorded, exchange);
          }
        } catch (error) {
          fail(error);
          return;
        }
        if (!stopped) timer = setTimeout(() => poll(next), POLL_MS);
      };

      (async () => {
        const c = new Call("soap");
        const result = await call(c, "GetCurrentSequence", [], { transport: POLLING });
        const sequence = number(result?.textContent);
        // the stations and units are checked by the first poll, before the watch counts as open
        const first = new Call("soap");
        await call(first, "GetObservationsSince", [
          ["sequence", sequence], ["stationIds", ids.map((id) => ["StationId", id])],
          ["units", units]], { transport: POLLING });
        if (stopped) return;
        handlers.onOpen?.(c.exchanges[0]);
        timer = setTimeout(() => poll(sequence), POLL_MS);
      })().catch(fail);

      return {
        stop() {
          stopped = true;
          clearTimeout(timer);
        },
      };
    },
  };
}
