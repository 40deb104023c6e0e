// One protocol's panel: how the page reaches the server, the latest temperature it returned,
// the exchanges behind it, an error in the protocol's own words, and the live arrivals.

import { el, find, replaceChildren } from "./dom.js";
import { inOwnWords } from "./errors.js";
import { exchangeView } from "./exchange_view.js";
import { formatBytes, formatMs, unitCode, valueOutput } from "./format.js";

const LIVE_ITEMS = 20;

export class ProtocolPanel {
  /** A panel for `client` (a protocol client of js/api/), cloned from the page's template. */
  constructor(template, client) {
    this.client = client;
    const root = template.content.firstElementChild.cloneNode(true);
    this.root = root;
    root.dataset.protocol = client.protocol;
    const titleId = `panel-${client.protocol}-title`;
    root.setAttribute("aria-labelledby", titleId);
    const title = find(root, ".panel-title");
    title.id = titleId;
    title.textContent = client.title;
    find(root, "[data-role=route]").textContent = client.route;
    const note = find(root, "[data-role=direct-note]");
    if (client.directNote) {
      note.textContent = client.directNote;
      note.hidden = false;
    }
    this.exchanges = find(root, "[data-role=exchanges]");
    this.liveList = find(root, "[data-role=live]");
    this.liveList.setAttribute("aria-label", `${client.title}: observations as they arrive`);
    this.generation = 0;
  }

  /** A new load begins: earlier exchanges and errors go. Returns the load's token. */
  begin() {
    this.generation += 1;
    this.#setState("loading");
    replaceChildren(this.exchanges);
    find(this.root, "[data-role=totals]").textContent = "";
    this.#error(null);
    find(this.root, "[data-role=latest]").replaceWith(
      el("output", { dataset: { field: "temperature", role: "latest" } }, "…"));
    return this.generation;
  }

  /** A place for one call's exchanges, kept in the order the calls were made. */
  slot(generation) {
    const slot = el("div", { class: "exchange-slot" });
    if (generation === this.generation) this.exchanges.append(slot);
    return (exchanges, options) => {
      if (generation !== this.generation || exchanges.length === 0) return;
      slot.append(...exchanges.map((exchange) => exchangeView(exchange, options)));
      this.#updateTotals();
    };
  }

  /** The latest observation this protocol returned. */
  showLatest(generation, observation) {
    if (generation !== this.generation) return;
    const output = valueOutput("temperature", observation.temperature,
      unitCode(observation.units, "temperature"));
    output.dataset.role = "latest";
    find(this.root, "[data-role=latest]").replaceWith(output);
  }

  done(generation) {
    if (generation === this.generation) this.#setState("done");
  }

  /** The load failed: the error's code and message, as the protocol's client reported them. */
  fail(generation, error) {
    if (generation !== this.generation) return;
    this.#setState("error");
    this.#error(error, (error.exchanges ?? []).length > 0);
    find(this.root, "[data-role=latest]").textContent = "no answer";
  }

  #error(error, withExchanges = false) {
    const box = find(this.root, "[data-role=error]");
    if (!error) {
      box.hidden = true;
      replaceChildren(box);
      return;
    }
    box.hidden = false;
    const words = inOwnWords(this.client.protocol, error);
    replaceChildren(box,
      el("p", {}, el("strong", { dataset: { field: "error-code" } }, error.code ?? "ERROR"), ": ",
        el("span", { dataset: { field: "error-message" } }, error.message ?? String(error))),
      words ? el("p", { class: "said" }, `${this.client.title} said: `,
        el("code", { dataset: { field: "error-said" } }, words)) : null,
      withExchanges ? el("p", { class: "hint" },
        "The exchanges below show the answer exactly as the server gave it.") : null);
  }

  #setState(state) {
    this.root.dataset.state = state;
    find(this.root, "[data-role=state]").textContent =
      { loading: "loading…", done: "loaded", error: "error" }[state];
    this.root.setAttribute("aria-busy", state === "loading" ? "true" : "false");
  }

  #updateTotals() {
    const views = this.exchanges.querySelectorAll("[data-role=exchange]");
    let sent = 0;
    let received = 0;
    let ms = 0;
    for (const view of views) {
      sent += Number(view.querySelector("[data-field=bytes-sent]")?.dataset.value ?? 0);
      received += Number(view.querySelector("[data-field=bytes-received]")?.dataset.value ?? 0);
      ms = Math.max(ms, Number(view.querySelector("[data-field=ms]")?.dataset.value ?? 0));
    }
    find(this.root, "[data-role=totals]").textContent = `${views.length} ` +
      `${views.length === 1 ? "exchange" : "exchanges"} · ↑${formatBytes(sent)} ↓${formatBytes(received)}` +
      ` · slowest ${formatMs(ms)}`;
  }

  // Live

  /** What opened the watch (the SSE request, the subscription, the stream, the first poll). */
  showWatch(exchange) {
    const box = find(this.root, "[data-role=watch]");
    replaceChildren(box);
    if (!exchange) return;
    const view = exchangeView(exchange);
    view.dataset.role = "watch-exchange";
    view.querySelector(".exchange-label").prepend(el("span", { class: "exchange-kind" }, "watch"));
    box.append(view);
  }

  /** The watch is opening (state "connecting"), open ("connected") or failed ("error"). */
  setLive(state, text) {
    this.root.dataset.live = state;
    if (state !== "connected") replaceChildren(find(this.root, "[data-role=watch]"));
    find(this.root, "[data-role=live-state]").textContent = text;
  }

  /**
   * An observation arrived: `recorded` is {sequence, observation}; `delay` an element saying
   * how long after the write's acknowledgement it came; `exchange` what carried it.
   */
  addArrival(recorded, delay, exchange) {
    const observation = recorded.observation;
    find(this.root, "[data-role=live-empty]").hidden = true;
    const item = el("li", { dataset: { sequence: recorded.sequence } },
      el("span", { class: "arrival-what" },
        `#${recorded.sequence} ${observation.station_id} `,
        valueOutput("temperature", observation.temperature,
          unitCode(observation.units, "temperature"))),
      el("span", { class: "arrival-delay" }, delay),
      exchange ? el("details", { class: "arrival-exchange" },
        el("summary", {}, "what arrived"),
        el("pre", { class: "message-body" }, el("code", {}, exchange.responseBody ?? ""))) : null);
    this.liveList.prepend(item);
    while (this.liveList.children.length > LIVE_ITEMS) this.liveList.lastElementChild.remove();
    return item;
  }
}
