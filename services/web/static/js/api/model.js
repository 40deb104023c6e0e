// The results every protocol client returns, in the core's field names (services/core/domain.py),
// and the few rules that make the four comparable: instants as ISO 8601 UTC with "Z", numbers
// as the server sent them, a missing measurement as null (never 0).

/** The measurements of an observation, in the order the core lists them. */
export const MEASUREMENTS = Object.freeze([
  "temperature", "dewpoint", "relative_humidity", "wind_speed", "wind_direction", "wind_gust",
  "precipitation_last_hour", "sea_level_pressure", "visibility",
]);

/** The core's error codes by gRPC status number (the core names its codes after gRPC's). */
export const STATUS_CODES = Object.freeze([
  "OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND",
  "ALREADY_EXISTS", "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION", "ABORTED",
  "OUT_OF_RANGE", "UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE", "DATA_LOSS", "UNAUTHENTICATED",
]);

/** An instant as ISO 8601 UTC, whole seconds spelled without a fraction: "2013-12-30T23:00:00Z".
 *  Servers spell the same instant "+00:00" or "Z"; this is the one spelling. */
export function isoUtc(value) {
  if (value === null || value === undefined) return null;
  const date = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(date.getTime())) return String(value);
  return date.toISOString().replace(".000Z", "Z");
}

/** Now, to the second (the core stores observations at whole seconds). */
export function nowInstant() {
  const now = new Date();
  now.setUTCMilliseconds(0);
  return isoUtc(now);
}

/** A number as received (a string from XML, a {value, unitCode} from REST), or null. */
export function number(value) {
  if (value !== null && typeof value === "object" && "value" in value) value = value.value;
  if (value === null || value === undefined || value === "") return null;
  const parsed = typeof value === "number" ? value : Number(value);
  return Number.isNaN(parsed) ? null : parsed;
}

/** "si" or "us" from any protocol's spelling (SI, UNITS_US, ...). */
export function unitSystem(value) {
  const text = String(value ?? "").toLowerCase();
  return text.endsWith("us") ? "us" : "si";
}

/** A severity as the core spells it ("Moderate") from "MODERATE" or "SEVERITY_MODERATE". */
export function severity(value) {
  const word = String(value ?? "").replace(/^SEVERITY_/i, "").toLowerCase();
  return word.charAt(0).toUpperCase() + word.slice(1);
}

/** Build an Observation from a reader of one field (by its core name). */
export function observation(read) {
  const result = {
    station_id: read("station_id"),
    observed_at: isoUtc(read("observed_at")),
  };
  for (const name of MEASUREMENTS) result[name] = number(read(name));
  result.units = unitSystem(read("units"));
  return result;
}

/** JSON with every object's keys sorted: equal results give equal text, whichever protocol
 *  produced them (the page's "do the four agree"). */
export function canonicalJson(value) {
  return JSON.stringify(value, (key, item) => {
    if (item === null || typeof item !== "object" || Array.isArray(item)) return item;
    return Object.fromEntries(Object.keys(item).sort().map((k) => [k, item[k]]));
  });
}

/** The measurements to write, SI numbers or null, from a partial observation. */
export function measurementsOf(observationToWrite) {
  return Object.fromEntries(MEASUREMENTS.map(
    (name) => [name, number(observationToWrite[name])]));
}
