// The live part: the form that records an observation through a chosen protocol, and one watch
// per panel that shows each arrival with its delay (from the moment the page got the write's
// acknowledgement to the moment the observation arrived through that panel's protocol).
//
// The API key is read from the form when the form is submitted and passed to the one write;
// it is not kept anywhere else, put in the address, or logged.

import { nowInstant } from "../api/model.js";
import { el, replaceChildren } from "./dom.js";
import { inOwnWords } from "./errors.js";
import { exchangeView } from "./exchange_view.js";
import { formatValue, formatMs } from "./format.js";

const DEFAULT_POLL_MS = 1000;

export class Live {
  /**
   * `panels`: protocol → ProtocolPanel (each with its client); `chosen()`: the station and
   * units the page shows now ({station, units}).
   */
  constructor({ form, status, exchanges, panels, chosen }) {
    this.form = form;
    this.status = status;
    this.exchangesBox = exchanges;
    this.panels = panels;
    this.chosen = chosen;
    this.watches = new Map();
    this.writes = new Map(); // write key → {ackAt|null, early: [outputs waiting for the ack]}
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.#submit();
    });
  }

  /** (Re)opens every panel's watch on `station` in `units`; the earlier ones are stopped. */
  follow(station, units) {
    for (const watch of this.watches.values()) watch.stop();
    this.watches.clear();
    for (const [protocol, panel] of Object.entries(this.panels)) {
      this.#open(protocol, panel, station, units);
    }
  }

  #open(protocol, panel, station, units) {
    const client = panel.client;
    const how = client.pushes ? "pushed" : `polled every ${formatMs(pollInterval(client))}`;
    panel.setLive("connecting", `opening the watch on ${station.id}…`);
    let watch = null;
    let polls = 0;
    const current = () => this.watches.get(protocol) === watch;
    const watching = `watching ${station.id}: ${how}`;
    try {
      watch = client.watch([station.id], units, {
        onOpen: (exchange) => {
          if (!current()) return;
          panel.setLive("connected", watching);
          panel.showWatch(exchange);
        },
        onPoll: () => {
          polls += 1;
          if (current() && panel.root.dataset.live === "connected") {
            panel.setLive("connected", `${watching} (${polls} ${polls === 1 ? "poll" : "polls"} so far)`);
          }
        },
        onEvent: (recorded, exchange) => {
          if (current()) this.#arrived(panel, recorded, exchange);
        },
        onError: (error) => {
          if (current()) {
            panel.setLive("error", `watch failed: ${error.code ?? "ERROR"}: ${error.message}`);
          }
        },
      });
    } catch (error) {
      panel.setLive("error", `watch failed: ${error.code ?? "ERROR"}: ${error.message}`);
      return;
    }
    this.watches.set(protocol, watch);
  }

  #arrived(panel, recorded, exchange) {
    const arrivedAt = performance.now();
    const write = this.writes.get(writeKey(recorded.observation));
    const delay = el("output", { dataset: { field: "delay" } });
    const polled = panel.client.pushes ? ""
      : ` (SOAP polls every ${formatMs(pollInterval(panel.client))})`;
    if (!write) {
      delay.textContent = "not written from this page";
    } else if (write.ackAt === null) {
      // The push beat the write's own answer to the page: the delay is known once it comes.
      delay.textContent = "before the write's acknowledgement…";
      write.early.push({ delay, arrivedAt, polled });
    } else {
      showDelay(delay, arrivedAt - write.ackAt, polled);
    }
    panel.addArrival(recorded, delay, exchange);
  }

  async #submit() {
    const data = new FormData(this.form);
    const protocol = String(data.get("protocol"));
    const panel = this.panels[protocol];
    const temperature = Number.parseFloat(String(data.get("temperature")));
    const { station } = this.chosen();
    if (!Number.isFinite(temperature)) {
      this.#report("error", "Type a temperature in °C (a number).");
      this.form.elements.temperature.focus();
      return;
    }
    if (!panel || !station) {
      this.#report("error", "The page is not ready to write yet.");
      return;
    }
    const apiKey = String(data.get("api_key") ?? "");
    const observation = emptyObservation(station.id, temperature);
    const key = writeKey(observation);
    const write = { ackAt: null, early: [] };
    this.writes.set(key, write);
    const button = this.form.querySelector("button[type=submit]");
    button.disabled = true;
    this.#report("pending", `Recording through ${panel.client.title}…`);
    const startedAt = performance.now();
    try {
      const { result, exchanges } = await panel.client.record(apiKey, observation);
      write.ackAt = performance.now();
      for (const { delay, arrivedAt, polled } of write.early) {
        showDelay(delay, arrivedAt - write.ackAt, polled);
      }
      this.#report("ok",
        `Recorded through ${panel.client.title} in ${formatMs(write.ackAt - startedAt)}: ` +
        `${result.station_id}, ${formatValue(result.temperature, "degC")} at ${result.observed_at}. ` +
        "Watch it arrive in the panels below.", exchanges, apiKey);
    } catch (error) {
      this.writes.delete(key);
      this.#report("error", null, error.exchanges ?? [], apiKey, error,
        inOwnWords(protocol, error) && `${panel.client.title} said: ${inOwnWords(protocol, error)}`);
    } finally {
      button.disabled = false;
    }
  }

  #report(state, text, exchanges = [], apiKey = "", error = null, said = null) {
    this.status.dataset.state = state;
    if (error) {
      replaceChildren(this.status,
        el("strong", { dataset: { field: "error-code" } }, error.code ?? "ERROR"), ": ",
        el("span", { dataset: { field: "error-message" } }, error.message ?? String(error)),
        " (nothing was recorded).", said ? [" ", el("span", { class: "said" }, said, ".")] : null);
    } else {
      replaceChildren(this.status, text);
    }
    replaceChildren(this.exchangesBox,
      exchanges.map((exchange) => exchangeView(exchange, { secrets: [apiKey] })));
  }
}

function pollInterval(client) {
  return client.pollInterval ?? DEFAULT_POLL_MS;
}

function showDelay(output, ms, polled) {
  output.dataset.value = String(Math.round(ms * 10) / 10);
  output.textContent = ms < 0
    ? `${formatMs(-ms)} before the write's acknowledgement${polled}`
    : `${formatMs(ms)} after the write's acknowledgement${polled}`;
}

/** An observation of `stationId` now (whole seconds, UTC), with only a temperature. */
function emptyObservation(stationId, temperature) {
  return {
    station_id: stationId,
    observed_at: nowInstant(),
    temperature,
    dewpoint: null, relative_humidity: null, wind_speed: null, wind_direction: null,
    wind_gust: null, precipitation_last_hour: null, sea_level_pressure: null, visibility: null,
    units: "si",
  };
}

/** What identifies a write among the arrivals: its station and instant (in any units). */
function writeKey(observation) {
  return `${observation.station_id}|${Date.parse(observation.observed_at)}`;
}
