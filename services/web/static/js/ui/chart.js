// The chart of the recent days: daily minimum and maximum temperature (uPlot), with the same
// values as a table for anyone who cannot see the chart.

import { uPlot } from "../../vendor/vendor.js";
import { el, replaceChildren } from "./dom.js";
import { addDays, formatValue, unitCode, unitSymbol } from "./format.js";

const HEIGHT = 220;

/** Draws the daily summaries into `container` and keeps the chart as wide as its box. */
export class DailyChart {
  constructor(container, table) {
    this.container = container;
    this.table = table;
    this.plot = null;
    this.days = [];
    new ResizeObserver(() => this.#fit()).observe(container);
    // The lines take their colours from the stylesheet, which has a dark theme.
    window.matchMedia("(prefers-color-scheme: dark)")
      .addEventListener("change", () => this.#draw());
  }

  /**
   * Shows `days` (DailySummary[], oldest first) in `units` over the dates `range` ({start, end},
   * inclusive): a date without observations has no summary, and is a gap in the lines.
   */
  show(days, units, range) {
    this.days = days;
    this.units = units;
    this.range = range;
    this.#draw();
    this.#fillTable();
  }

  /** Empties the chart, saying why. */
  clear(message) {
    this.plot?.destroy();
    this.plot = null;
    this.days = [];
    replaceChildren(this.container, el("p", { class: "hint" }, message));
    replaceChildren(this.table);
  }

  #draw() {
    this.plot?.destroy();
    this.plot = null;
    replaceChildren(this.container);
    const days = this.days;
    if (days.length === 0) {
      this.container.append(el("p", { class: "hint" }, "No observations in these days."));
      return;
    }
    const code = unitCode(this.units, "temperature");
    const colours = getComputedStyle(document.documentElement);
    const colour = (name) => colours.getPropertyValue(name).trim();
    const axis = {
      stroke: colour("--text-muted"),
      grid: { stroke: colour("--grid"), width: 1 },
      ticks: { stroke: colour("--grid"), width: 1 },
    };
    const byDate = new Map(days.map((day) => [day.date, day]));
    const dates = [];
    for (let date = this.range.start; date <= this.range.end; date = addDays(date, 1)) {
      dates.push(date);
    }
    const data = [
      dates.map((date) => Date.parse(`${date}T00:00:00Z`) / 1000),
      dates.map((date) => byDate.get(date)?.temperature_min ?? null),
      dates.map((date) => byDate.get(date)?.temperature_max ?? null),
    ];
    const halfDay = 12 * 3600;
    const options = {
      width: this.#width(),
      height: HEIGHT,
      // Dates are the station's calendar days: draw them as written, not in the viewer's zone.
      tzDate: (seconds) => uPlot.tzDate(new Date(seconds * 1000), "Etc/UTC"),
      // The whole range, even where the days at either end have no observations.
      scales: { x: { time: true, range: () => [data[0][0] - halfDay, data[0].at(-1) + halfDay] } },
      cursor: { drag: { x: false, y: false } },
      legend: { live: true },
      series: [
        { label: "Date", value: "{YYYY}-{MM}-{DD}" },
        { label: "Min", stroke: colour("--chart-min"), width: 2,
          points: { show: true, size: 6, fill: colour("--chart-min") },
          value: (u, v) => legendValue(v, code) },
        { label: "Max", stroke: colour("--chart-max"), width: 2,
          points: { show: true, size: 6, fill: colour("--chart-max") },
          value: (u, v) => legendValue(v, code) },
      ],
      axes: [
        { ...axis },
        { ...axis, label: unitSymbol(code), labelSize: 20, size: 50 },
      ],
    };
    this.plot = new uPlot(options, data, this.container);
    const first = this.range.start;
    const last = this.range.end;
    this.container.setAttribute("role", "img");
    this.container.setAttribute("aria-label",
      `Daily minimum and maximum temperature, ${first} to ${last}, in ${unitSymbol(code)}. ` +
      "The same values are in the table below.");
  }

  #width() {
    return Math.max(240, Math.floor(this.container.clientWidth || 300));
  }

  #fit() {
    if (this.plot && this.plot.width !== this.#width()) {
      this.plot.setSize({ width: this.#width(), height: HEIGHT });
    }
  }

  #fillTable() {
    const code = unitCode(this.units, "temperature");
    replaceChildren(this.table, el("table", {},
      el("caption", { class: "visually-hidden" }, "Daily temperatures"),
      el("thead", {}, el("tr", {},
        el("th", { scope: "col" }, "Date"), el("th", { scope: "col" }, "Min"),
        el("th", { scope: "col" }, "Max"), el("th", { scope: "col" }, "Observations"))),
      el("tbody", {}, this.days.map((day) => el("tr", { dataset: { date: day.date } },
        el("th", { scope: "row" }, day.date),
        el("td", {}, formatValue(day.temperature_min, code)),
        el("td", {}, formatValue(day.temperature_max, code)),
        el("td", {}, String(day.observation_count)))))));
  }
}

/** The legend's reading: the value under the cursor, or a dash where there is none. */
function legendValue(value, code) {
  return value === null || value === undefined ? "–" : formatValue(value, code);
}
