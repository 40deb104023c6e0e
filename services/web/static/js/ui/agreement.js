// Whether the four protocols returned the same thing: each result set is written as canonical
// JSON (keys sorted, nothing else changed: the clients' canonicalJson) and compared; where two
// differ, the first field that differs is named.

import { canonicalJson } from "../api/model.js";

const OUTCOME = "(outcome)";

/**
 * The first place where `a` and `b` differ, as {path, a, b} (path like "latest.visibility" or
 * "forecast.periods[2].summary"), or null when they are equal.
 */
export function firstDifference(a, b, path = "") {
  if (canonicalJson(a) === canonicalJson(b)) return null;
  const bothArrays = Array.isArray(a) && Array.isArray(b);
  const bothObjects = !bothArrays && isObject(a) && isObject(b);
  if (bothArrays) {
    if (a.length !== b.length) return { path: `${path}.length`, a: a.length, b: b.length };
    for (let i = 0; i < a.length; i += 1) {
      const found = firstDifference(a[i], b[i], `${path}[${i}]`);
      if (found) return found;
    }
  } else if (bothObjects) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    for (const key of keys) {
      const found = firstDifference(a[key], b[key], path ? `${path}.${key}` : key);
      if (found) return found;
    }
  }
  return { path: path || "(whole result)", a, b };
}

function isObject(value) {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/**
 * The verdict over the panels' outcomes: `outcomes` maps a protocol's title to what it ended
 * with ({result} or {error: code}). The first is the reference the others are compared to.
 * Returns {agree, text, differences: [{title, path, a, b}]}.
 */
export function compareOutcomes(outcomes) {
  const entries = Object.entries(outcomes);
  const [referenceTitle, reference] = entries[0];
  const differences = [];
  for (const [title, outcome] of entries.slice(1)) {
    if (Boolean(outcome.error) !== Boolean(reference.error)) {
      // One answered and the other failed: that is the difference, not some field of it.
      differences.push({ title, path: OUTCOME,
        a: reference.error ? `error ${reference.error}` : "results",
        b: outcome.error ? `error ${outcome.error}` : "results" });
      continue;
    }
    const found = firstDifference(reference, outcome);
    if (found) differences.push({ title, ...found });
  }
  const errors = entries.filter(([, outcome]) => outcome.error);
  if (differences.length === 0) {
    const what = errors.length === entries.length
      ? `the same error (${reference.error})`
      : "the same latest observation, forecast, recent days and alerts";
    return {
      agree: true, differences,
      text: `All four agree: ${what}, compared as canonical JSON ` +
        `(${canonicalJson(reference).length.toLocaleString("en-US")} characters each).`,
    };
  }
  const parts = differences.map(({ title, path, a, b }) => (path === OUTCOME
    ? `${title} ended with ${b} where ${referenceTitle} ended with ${a}`
    : `${title} differs from ${referenceTitle} at ${path} (${referenceTitle}: ${show(a)}, ${title}: ${show(b)})`));
  return { agree: false, differences, text: `The four do not agree: ${parts.join("; ")}.` };
}

function show(value) {
  if (value === undefined) return "absent";
  const text = JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 77)}…` : text;
}
