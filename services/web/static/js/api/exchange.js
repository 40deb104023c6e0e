// What the page shows of each protocol call: the Exchange (the request as sent, the answer,
// bytes each way and time), the error every client throws (ApiError), and the page's
// configuration (/config.json).
//
// Every API call of a client goes through a Call: Call.fetch() for the plain-fetch protocols,
// Call.recordingFetch() as the fetch of the gRPC-Web transport, Call.add() for what arrives on
// a stream. Byte counts are of bodies: the request body as sent, and the answer's body as it
// crossed the wire (Resource Timing's encodedBodySize: compressed, if it was) when the server
// lets the page read it (Timing-Allow-Origin), else the body as read. Headers are not counted
// either way: a browser does not tell a page their size (transferSize adds a fixed 300 bytes
// in their place, by the Resource Timing specification).

const encoder = new TextEncoder();
const decoder = new TextDecoder();  // UTF-8, dropping a BOM: as Response.text() decodes
/** What an exchange shows in place of the API key (the bytes counted are the real ones). */
export const KEY_SHOWN = "•••• (your key)";

const REASONS = {
  200: "OK", 201: "Created", 204: "No Content", 304: "Not Modified", 400: "Bad Request",
  401: "Unauthorized", 403: "Forbidden", 404: "Not Found", 405: "Method Not Allowed",
  406: "Not Acceptable", 409: "Conflict", 412: "Precondition Failed",
  413: "Content Too Large", 415: "Unsupported Media Type", 422: "Unprocessable Content",
  428: "Precondition Required", 429: "Too Many Requests", 500: "Internal Server Error",
  502: "Bad Gateway", 503: "Service Unavailable", 504: "Gateway Timeout",
};

/** An error of the API, in the core's words: `code` is the core's (NOT_FOUND, ...). */
export class ApiError extends Error {
  constructor(code, message, { exchanges = [], details = null } = {}) {
    super(message);
    this.name = "ApiError";
    this.code = code;
    this.exchanges = exchanges;
    this.details = details;  // the protocol's own detail (violations, resource, rich details)
  }
}

/** The configuration with `location.hostname` for the host when the servers listen on every
 *  address (`hostFromPage`); unchanged otherwise. Idempotent. */
export function resolveConfig(config, hostname = globalThis.location?.hostname) {
  if (!config.hostFromPage || !hostname) return config;
  const resolved = { ...config, hostFromPage: false };
  for (const [key, value] of Object.entries(config)) {
    if (typeof value !== "string") continue;
    if (/^[a-z]+:\/\//.test(value)) {
      const url = new URL(value);
      url.hostname = hostname;
      resolved[key] = key === "rest" || value.endsWith("/") ? url.href : url.href.replace(/\/$/, "");
    } else if (key === "grpc") {
      resolved[key] = value.replace(/^[^:]+/, hostname);
    }
  }
  return resolved;
}

/** The page's configuration, resolved for this page. */
export async function loadConfig(url = "/config.json") {
  const response = await fetch(url, { cache: "no-cache" });
  if (!response.ok) throw new Error(`${url}: ${response.status}`);
  return resolveConfig(await response.json());
}

export function statusLine(status, statusText = "") {
  return `${status} ${statusText || REASONS[status] || ""}`.trim();
}

export function byteLength(body) {
  if (body === null || body === undefined) return 0;
  if (typeof body === "string") return encoder.encode(body).length;
  return body.byteLength ?? 0;
}

/** A complete Exchange from some of its fields. */
export function newExchange(fields) {
  return {
    protocol: null, label: "", transport: "fetch", method: "GET", url: "",
    requestHeaders: [], requestBody: null, status: "", responseHeaders: [],
    responseBody: null, bytesSent: 0, bytesReceived: 0, ms: 0,
    startedAt: new Date().toISOString(), note: "", ...fields,
  };
}

// Resource Timing entries already matched to an exchange. Several requests to one URL can be
// under way at once (GraphQL and SOAP POST every call to one address): an entry is matched
// once. Weak, so an entry cleared from the browser's buffer is let go here too.
const claimed = new WeakSet();
// performance.now() and an entry's startTime are coarsened separately: allow for it.
const CLOCK_SLACK_MS = 1;
// How long to wait for an entry the browser records a moment after the body was read (it
// happens, rarely); past it, the body as read is counted.
const TIMING_WAIT_MS = 1000;

/** Of the entries of `name` begun since `start` and not claimed yet, claims the one whose
 *  answer's body, decoded, was `bodyBytes` long, begun closest to `start` (another request's
 *  answer may be of the same size: its entry is the one begun closer to its own start). Null
 *  when the server hides the sizes (no Timing-Allow-Origin); undefined when none is recorded
 *  yet. */
function claim(name, start, bodyBytes) {
  let found = null;
  let hidden = false;
  for (const entry of performance.getEntriesByName(name, "resource")) {
    if (claimed.has(entry) || entry.startTime < start - CLOCK_SLACK_MS) continue;
    if (entry.decodedBodySize === bodyBytes) {
      if (!found || Math.abs(entry.startTime - start) < Math.abs(found.startTime - start)) {
        found = entry;
      }
    } else if (entry.transferSize === 0 && entry.decodedBodySize === 0) {
      hidden = true;
    }
  }
  if (found) claimed.add(found);
  return found ?? (hidden ? null : undefined);
}

/** The Resource Timing entry of the fetch of `url` begun at `start` (performance.now()) whose
 *  body was `bodyBytes` long once decoded, claimed for this exchange; null if there is none. */
async function timingOf(url, start, bodyBytes) {
  if (!globalThis.performance?.getEntriesByName) return null;
  const name = new URL(url, location.href).href;
  const found = claim(name, start, bodyBytes);
  if (found !== undefined || !globalThis.PerformanceObserver) return found ?? null;
  return new Promise((resolve) => {
    const finish = (entry) => {
      observer.disconnect();
      clearTimeout(timer);
      resolve(entry);
    };
    // an observer is told after the browser has added the entry to the buffer
    const observer = new PerformanceObserver(() => {
      const entry = claim(name, start, bodyBytes);
      if (entry !== undefined) finish(entry);
    });
    observer.observe({ type: "resource" });
    const timer = setTimeout(() => finish(null), TIMING_WAIT_MS);
  });
}

/** Fill in bytesReceived: the answer's body on the wire (Resource Timing), or as read. */
async function measureReceived(exchange, url, start, bodyBytes) {
  const entry = await timingOf(url, start, bodyBytes);
  if (entry) {
    exchange.bytesReceived = entry.encodedBodySize;
    exchange.note = joinNote(exchange.note, "bytes: bodies; received as Resource Timing "
      + "measured it on the wire (encodedBodySize); headers not counted (a browser does not "
      + "tell a page their size)");
  } else {
    exchange.bytesReceived = bodyBytes;
    exchange.note = joinNote(exchange.note, "bytes: bodies, received as read (no Resource "
      + "Timing sizes for this request); headers not counted");
  }
}

function joinNote(note, more) {
  return note ? `${note}; ${more}` : more;
}

function headerList(headers) {
  return [...headers.entries()];
}

// Room for the requests of a long session: the browser stops recording at 250 by default.
// When even this is full, the old entries go (and `claimed` lets go of them); the browser then
// moves in those that arrived meanwhile. Only an answer read but not yet measured at that
// moment loses its entry: it counts the body as read.
if (globalThis.performance?.setResourceTimingBufferSize) {
  performance.setResourceTimingBufferSize(5000);
  performance.addEventListener?.("resourcetimingbufferfull", () => performance.clearResourceTimings());
}

/** The exchanges of one client method call, and the one way its requests are made. */
export class Call {
  constructor(protocol) {
    this.protocol = protocol;
    this.exchanges = [];
  }

  /** Record an exchange (e.g. one event of a stream). */
  add(fields) {
    const exchange = newExchange({ protocol: this.protocol, ...fields });
    this.exchanges.push(exchange);
    return exchange;
  }

  /** The API key the person typed: sent, but never shown (nor kept) in an exchange. */
  hide(secret) {
    if (secret) this.secret = String(secret);
    return this;
  }

  redact(text) {
    if (!this.secret || typeof text !== "string") return text;
    return text.split(this.secret).join(KEY_SHOWN);
  }

  redactHeaders(headers) {
    return headers.map(([name, value]) => [name, this.redact(value)]);
  }

  /** One HTTP request with fetch, recorded. Resolves to {response, text, exchange} for any
   *  answer (the client judges the status); rejects with UNAVAILABLE when none came. With
   *  `onlyErrorBodies` a successful answer is not read (text null): a stream never ends. */
  async fetch({ label, method = "GET", url, headers = [], body = null,
                transport = "fetch", note = "", onlyErrorBodies = false }) {
    const exchange = this.add({ label, transport, method, url,
                                requestHeaders: this.redactHeaders(headers),
                                requestBody: this.redact(body), bytesSent: byteLength(body),
                                note });
    const start = performance.now();
    const controller = new AbortController();
    let response;
    let received = null;  // the answer's body, decoded (content-encoding undone)
    try {
      response = await fetch(url, { method, headers, body, cache: "no-store", mode: "cors",
                                    credentials: "omit", signal: controller.signal });
      // an endless answer (a stream) is not read: only an error's body is
      if (onlyErrorBodies && response.ok) controller.abort();
      else received = await response.arrayBuffer();
    } catch (error) {
      exchange.ms = performance.now() - start;
      exchange.status = "network error";
      exchange.responseBody = String(error?.message ?? error);
      throw this.error("UNAVAILABLE", `${method} ${url} failed: the server cannot be reached `
        + `or refused the page (${error?.message ?? error})`);
    }
    exchange.ms = performance.now() - start;
    exchange.status = statusLine(response.status, response.statusText);
    exchange.responseHeaders = headerList(response.headers);
    // read as bytes so the count is exact, whatever the decoding made of them
    const text = received === null ? null : decoder.decode(received);
    exchange.responseBody = text;
    if (received !== null) await measureReceived(exchange, url, start, received.byteLength);
    return { response, text, exchange };
  }

  /** A fetch for a library's transport (connect-web's gRPC-Web) that records the exchange the
   *  library makes: its request headers and binary body, the answer's headers and the bytes
   *  of its body as they stream in. `describe(exchange)` fills in the decoded parts later. */
  recordingFetch({ label, transport, note = "" }) {
    return async (input, init = {}) => {
      const url = typeof input === "string" ? input : input.url;
      const headers = new Headers(init.headers ?? {});
      const exchange = this.add({ label, transport, method: init.method ?? "GET", url,
                                  requestHeaders: this.redactHeaders(headerList(headers)),
                                  bytesSent: byteLength(init.body), note });
      const start = performance.now();
      let response;
      try {
        response = await fetch(input, { ...init, cache: "no-store", credentials: "omit" });
      } catch (error) {
        exchange.ms = performance.now() - start;
        exchange.status = "network error";
        throw error;
      }
      exchange.status = statusLine(response.status, response.statusText);
      exchange.responseHeaders = headerList(response.headers);
      if (!response.body) {
        exchange.ms = performance.now() - start;
        return response;
      }
      let received = 0;
      const counter = new TransformStream({
        transform(chunk, controller) {
          received += chunk.byteLength;
          controller.enqueue(chunk);
        },
        flush() {
          exchange.ms = performance.now() - start;
          return measureReceived(exchange, url, start, received);
        },
      });
      exchange.bytesReceived = 0;
      // a stream's bytes so far (not enumerable: an exchange stays plain data)
      Object.defineProperty(exchange, "progress", { value: () => received, enumerable: false });
      return new Response(response.body.pipeThrough(counter), {
        status: response.status, statusText: response.statusText, headers: response.headers,
      });
    };
  }

  error(code, message, details = null) {
    return new ApiError(code, message, { exchanges: this.exchanges, details });
  }

  done(result) {
    return { result, exchanges: this.exchanges };
  }
}
