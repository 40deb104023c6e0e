// One exchange (a request and its answer, as the protocol client recorded it) shown as a
// <details>: closed, a one-line summary; open, the request and the response as they went over
// the wire, bodies pretty-printed and cut at a readable length.

import { el } from "./dom.js";
import { formatBytes, formatMs } from "./format.js";

const MAX_LINES = 60;
const MAX_CHARS = 6000;
const HIDDEN = "•••••• (hidden)";
// Headers that carry a credential: their values are never shown.
const SECRET_HEADERS = new Set(["authorization", "x-api-key", "proxy-authorization"]);

/**
 * A `<details data-role="exchange">` for `exchange`. `secrets` are strings (an API key just
 * typed) to hide wherever they appear, e.g. in a SOAP envelope's UsernameToken.
 */
export function exchangeView(exchange, { secrets = [], open = false } = {}) {
  const hide = (text) => maskSecrets(text, secrets);
  const failed = isFailure(exchange.status);
  return el("details", {
    class: `exchange${failed ? " failed" : ""}`, open,
    dataset: { role: "exchange", protocol: exchange.protocol },
  },
    el("summary", {},
      el("span", { class: "exchange-label" }, exchange.label),
      el("span", { class: "exchange-meta" },
        el("span", { class: `status${failed ? " status-bad" : ""}` }, exchange.status ?? "no answer"),
        ` · ${formatMs(exchange.ms)} · ↑${formatBytes(exchange.bytesSent)} ↓${formatBytes(exchange.bytesReceived)}`)),
    el("dl", { class: "exchange-facts" },
      fact("Transport", exchange.transport),
      fact("Sent", `${formatBytes(exchange.bytesSent)}`, "bytes-sent", exchange.bytesSent),
      fact("Received", `${formatBytes(exchange.bytesReceived)}`, "bytes-received",
        exchange.bytesReceived),
      fact("Time", formatMs(exchange.ms), "ms", exchange.ms)),
    el("h5", {}, "Request"),
    message(`${exchange.method ?? ""} ${exchange.url ?? ""}`.trim(),
      exchange.requestHeaders, exchange.requestBody, hide, "request"),
    el("h5", {}, "Response"),
    message(exchange.status ?? "no answer", exchange.responseHeaders, exchange.responseBody,
      hide, "response"),
    exchange.note ? el("p", { class: "hint exchange-note" }, hide(exchange.note)) : null,
  );
}

function fact(term, text, field = null, value = null) {
  return [el("dt", {}, term), el("dd", {}, field === null ? text
    : el("output", { dataset: { field, value: value ?? null } }, text))];
}

function isFailure(status) {
  if (!status) return true;
  if (/^grpc-status 0\b/.test(status)) return false;
  if (/^grpc-status/.test(status)) return true;
  if (/fault/i.test(status)) return true;
  const code = Number.parseInt(status, 10);
  return Number.isFinite(code) && code >= 400;
}

/** A request or response in the shape of an HTTP message: first line, headers, body. */
function message(firstLine, headers, body, hide, role) {
  const headerText = (headers ?? [])
    .map(([name, value]) => `${name}: ${SECRET_HEADERS.has(name.toLowerCase()) ? HIDDEN : hide(value)}`)
    .join("\n");
  const head = el("pre", { class: "message-head", dataset: { role: `${role}-head` } },
    el("code", {}, headerText ? `${firstLine}\n${headerText}` : firstLine));
  if (body === null || body === undefined || body === "") {
    return [head, el("p", { class: "hint" }, "(no body)")];
  }
  const gqlDocument = graphqlDocument(body);
  return [head, bodyView(hide(prettyBody(body)), role),
    gqlDocument ? [el("p", { class: "hint" }, "The GraphQL document in it, as the server reads it:"),
      bodyView(hide(gqlDocument), `${role}-document`)] : null];
}

/** The GraphQL document a JSON body carries ("query", or a subscribe message's payload). */
function graphqlDocument(body) {
  const text = String(body).trim();
  if (!text.startsWith("{") || !text.includes("query")) return null;
  try {
    const parsed = JSON.parse(text);
    const query = parsed?.query ?? parsed?.payload?.query;
    return typeof query === "string" ? query.trim() : null;
  } catch {
    return null;
  }
}

/** The body, cut at MAX_LINES / MAX_CHARS with a button that shows the rest. */
function bodyView(text, role) {
  const code = el("code", {}, text);
  const pre = el("pre", { class: "message-body", tabindex: "0", dataset: { role: `${role}-body` },
    "aria-label": `${role} body` }, code);
  const cut = truncate(text);
  if (cut === null) return pre;
  code.textContent = cut.text;
  const button = el("button", { type: "button", class: "link-button" },
    `Show all (${cut.hiddenLines} more lines)`);
  button.addEventListener("click", () => {
    code.textContent = text;
    button.remove();
    pre.focus();
  });
  return [pre, button];
}

function truncate(text) {
  const lines = text.split("\n");
  if (lines.length <= MAX_LINES && text.length <= MAX_CHARS) return null;
  let kept = lines.slice(0, MAX_LINES).join("\n");
  if (kept.length > MAX_CHARS) kept = kept.slice(0, MAX_CHARS);
  const keptLines = kept.split("\n").length;
  return { text: `${kept}\n…`, hiddenLines: Math.max(1, lines.length - keptLines) };
}

/** JSON indented by two spaces, XML one element a line; anything else as it came. */
export function prettyBody(body) {
  const text = String(body);
  const trimmed = text.trim();
  if (trimmed.startsWith("{") || trimmed.startsWith("[")) {
    try {
      return JSON.stringify(JSON.parse(trimmed), null, 2);
    } catch {
      return text;
    }
  }
  if (trimmed.startsWith("<")) return prettyXml(trimmed) ?? text;
  return text;
}

function prettyXml(text) {
  const parsed = new DOMParser().parseFromString(text, "application/xml");
  if (parsed.getElementsByTagName("parsererror").length > 0) return null;
  const lines = [];
  const declaration = text.match(/^<\?xml[^>]*\?>/);
  if (declaration) lines.push(declaration[0]);
  writeXml(parsed.documentElement, 0, lines);
  return lines.join("\n");
}

function writeXml(node, depth, lines) {
  const indent = "  ".repeat(depth);
  const attributes = [...node.attributes].map((a) => ` ${a.name}="${escapeXml(a.value)}"`).join("");
  const children = [...node.childNodes].filter(
    (child) => child.nodeType === Node.ELEMENT_NODE ||
      (child.nodeType === Node.TEXT_NODE && child.nodeValue.trim() !== "") ||
      child.nodeType === Node.CDATA_SECTION_NODE);
  if (children.length === 0) {
    lines.push(`${indent}<${node.nodeName}${attributes}/>`);
  } else if (children.every((child) => child.nodeType !== Node.ELEMENT_NODE)) {
    const content = children.map((child) => escapeXml(child.nodeValue)).join("");
    lines.push(`${indent}<${node.nodeName}${attributes}>${content}</${node.nodeName}>`);
  } else {
    lines.push(`${indent}<${node.nodeName}${attributes}>`);
    for (const child of children) {
      if (child.nodeType === Node.ELEMENT_NODE) writeXml(child, depth + 1, lines);
      else lines.push(`${indent}  ${escapeXml(child.nodeValue.trim())}`);
    }
    lines.push(`${indent}</${node.nodeName}>`);
  }
}

function escapeXml(text) {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/"/g, "&quot;");
}

function maskSecrets(text, secrets) {
  if (text === null || text === undefined) return text;
  let masked = String(text);
  for (const secret of secrets) {
    if (secret) masked = masked.split(secret).join(HIDDEN);
  }
  return masked;
}
