// How values are shown: unit codes (the API's, e.g. "degC") and their symbols, numbers as the
// API sent them, "not measured" for null, times in the station's zone and in UTC.

import { el } from "./dom.js";

// The unit code of each quantity in each system, as the core names them
// (services/core/units.py). The results carry `units` ("si"/"us"); these say what that means.
const UNIT_CODES = {
  si: { temperature: "degC", speed: "m/s", precipitation: "mm", pressure: "hPa",
        distance: "m", percent: "%", angle: "deg" },
  us: { temperature: "degF", speed: "mph", precipitation: "in", pressure: "inHg",
        distance: "mi", percent: "%", angle: "deg" },
};

const SYMBOLS = { degC: "°C", degF: "°F", deg: "°", "%": "%" };

/** The unit code of a quantity ("temperature", "speed", ...) in a unit system. */
export function unitCode(units, quantity) {
  return UNIT_CODES[units === "us" ? "us" : "si"][quantity];
}

/** How a unit code is written after a number. */
export function unitSymbol(code) {
  return SYMBOLS[code] ?? code;
}

const NUMBER = new Intl.NumberFormat("en-US", { maximumFractionDigits: 6 });

/** A number as received (every decimal the API sent), with thousands separators. */
export function formatNumber(value) {
  return NUMBER.format(value);
}

/** "21.5 °C", or "not measured" for null. */
export function formatValue(value, code) {
  if (value === null || value === undefined) return "not measured";
  const symbol = unitSymbol(code);
  const gap = symbol === "%" || symbol === "°" ? "" : " ";
  return `${formatNumber(value)}${gap}${symbol}`;
}

/**
 * An <output> holding one value, with the hooks the tests read: data-field, data-value (the
 * number exactly as received) and data-unit (the unit code). A missing value has no data-value.
 */
export function valueOutput(field, value, code, attributes = {}) {
  const missing = value === null || value === undefined;
  return el("output", {
    ...attributes,
    class: missing ? "missing" : null,
    dataset: { field, value: missing ? null : String(value), unit: code, missing: missing ? "true" : null },
  }, formatValue(value, code));
}

/** A compass point for a wind direction in degrees ("SW"). */
export function compass(degrees) {
  if (degrees === null || degrees === undefined) return null;
  const points = ["N", "NNE", "NE", "ENE", "E", "ESE", "SE", "SSE",
                  "S", "SSW", "SW", "WSW", "W", "WNW", "NW", "NNW"];
  return points[Math.round(((degrees % 360) + 360) % 360 / 22.5) % 16];
}

/** "Tue, Jul 2, 2013, 02:51 PM EDT" in the station's own time zone. */
export function localTime(iso, timeZone) {
  return new Intl.DateTimeFormat("en-US", {
    timeZone, weekday: "short", day: "numeric", month: "short", year: "numeric",
    hour: "2-digit", minute: "2-digit", timeZoneName: "short",
  }).format(new Date(iso));
}

/** A <time> element: the local reading shown, the ISO instant in `datetime` and the tooltip. */
export function timeElement(iso, timeZone) {
  return el("time", { datetime: iso, title: iso }, localTime(iso, timeZone));
}

/** The station's local calendar date of an instant, "YYYY-MM-DD". */
export function localDate(iso, timeZone) {
  // en-CA writes dates as YYYY-MM-DD.
  return new Intl.DateTimeFormat("en-CA", {
    timeZone, year: "numeric", month: "2-digit", day: "2-digit",
  }).format(new Date(iso));
}

/** A calendar date `days` after (or before, if negative) "YYYY-MM-DD". */
export function addDays(isoDate, days) {
  const [year, month, day] = isoDate.split("-").map(Number);
  return new Date(Date.UTC(year, month - 1, day + days)).toISOString().slice(0, 10);
}

/** "1.2 kB" for a byte count; "?" when the browser did not say. */
export function formatBytes(bytes) {
  if (bytes === null || bytes === undefined || Number.isNaN(bytes)) return "? B";
  if (bytes < 1000) return `${bytes} B`;
  return `${(bytes / 1000).toFixed(bytes < 10000 ? 2 : 1)} kB`;
}

/** "12 ms" (whole milliseconds; under 1 ms shown with one decimal). */
export function formatMs(ms) {
  if (ms === null || ms === undefined || Number.isNaN(ms)) return "? ms";
  return ms < 1 ? `${ms.toFixed(1)} ms` : `${Math.round(ms)} ms`;
}
