// The weather app: the latest observation, the forecast and the active alerts of one station,
// rendered from the results the REST client returned.

import { el, replaceChildren } from "./dom.js";
import { compass, formatValue, timeElement, unitCode, valueOutput } from "./format.js";

// What the latest observation shows, in order: [label, field, quantity].
const READINGS = [
  ["Dewpoint", "dewpoint", "temperature"],
  ["Humidity", "relative_humidity", "percent"],
  ["Wind", "wind_speed", "speed"],
  ["Gusts", "wind_gust", "speed"],
  ["Pressure", "sea_level_pressure", "pressure"],
  ["Visibility", "visibility", "distance"],
  ["Rain, last hour", "precipitation_last_hour", "precipitation"],
];

/** The latest observation as a description list of readings with their units. */
export function renderLatest(root, observation, station) {
  const units = observation.units;
  replaceChildren(root.querySelector("#observed-at"),
    `${station.name} (${station.id}), `, timeElement(observation.observed_at, station.timezone));
  replaceChildren(root.querySelector("#now"),
    valueOutput("temperature", observation.temperature, unitCode(units, "temperature")));
  const rows = READINGS.map(([label, field, quantity]) => {
    const value = valueOutput(field, observation[field], unitCode(units, quantity));
    const extra = field === "wind_speed" && observation.wind_speed !== null
      ? windDirection(observation.wind_direction) : null;
    return [el("dt", {}, label), el("dd", {}, value, extra)];
  });
  replaceChildren(root.querySelector("#latest"), rows);
}

function windDirection(degrees) {
  if (degrees === null || degrees === undefined) return " (direction not measured)";
  return el("span", { class: "direction" }, " from ",
    valueOutput("wind_direction", degrees, "deg"), ` (${compass(degrees)})`);
}

/** The forecast periods: name, summary, high and low, chance of rain, wind. */
export function renderForecast(list, forecast, station) {
  const units = forecast.units;
  const temperature = unitCode(units, "temperature");
  const speed = unitCode(units, "speed");
  if (forecast.periods.length === 0) {
    replaceChildren(list, el("li", { class: "empty" }, "No forecast for this station."));
    return;
  }
  replaceChildren(list, forecast.periods.map((period) => el("li", {
    dataset: { number: period.number },
  },
    el("p", { class: "period-name" }, el("strong", {}, period.name), " ",
      el("time", { datetime: period.start, class: "hint" }, period.start.slice(0, 10))),
    el("p", { class: "period-temps" },
      el("span", {}, "High ", valueOutput("temperature_high", period.temperature_high, temperature)),
      el("span", {}, "Low ", valueOutput("temperature_low", period.temperature_low, temperature))),
    el("p", { class: "period-more hint" },
      period.precipitation_chance === null ? "rain: chance not known"
        : `${period.precipitation_chance}% chance of rain`,
      el("br"), "wind ", formatValue(period.wind_speed, speed),
      period.wind_direction === null ? "" : ` from ${compass(period.wind_direction)}`),
    period.summary ? el("p", { class: "period-summary" }, period.summary) : null,
  )));
  list.setAttribute("aria-label", `Forecast issued ${forecast.issued_at} for ${station.name}`);
}

/** The active alerts, or a line saying there are none. */
export function renderAlerts(list, alerts, station) {
  if (alerts.length === 0) {
    replaceChildren(list, el("li", { class: "empty", dataset: { empty: "true" } },
      "No active alerts."));
    return;
  }
  replaceChildren(list, alerts.map((alert) => el("li", {
    class: `alert severity-${alert.severity.toLowerCase()}`, dataset: { alertId: alert.id },
  },
    el("p", {}, el("span", { class: "severity" }, alert.severity), " ",
      el("strong", {}, alert.event)),
    el("p", {}, alert.headline),
    el("p", { class: "hint" }, "From ", timeElement(alert.onset, station.timezone),
      " until ", timeElement(alert.ends, station.timezone)),
    alert.description ? el("details", {}, el("summary", {}, "Details"),
      el("p", {}, alert.description)) : null,
  )));
}

/** Marks the weather part as loading, or shows why it could not load. */
export function renderWeatherError(root, error) {
  const message = `${error.code ?? "ERROR"}: ${error.message}`;
  replaceChildren(root.querySelector("#observed-at"),
    el("span", { class: "error-text" }, `The REST client could not load this station (${message}).`));
  for (const id of ["#now", "#latest", "#forecast", "#alerts"]) replaceChildren(root.querySelector(id));
}
