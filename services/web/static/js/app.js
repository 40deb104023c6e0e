// The page: a weather app fed by the REST client, and four panels showing the same data
// fetched through REST, GraphQL, gRPC and SOAP with the exchanges behind it.
//
// Tests wait on `document.body.dataset.ready`: "false" while a load runs (the first, or one
// after a change of station or units), "true" once all four panels have ended it (done or
// error) and the agreement is shown.

import { loadConfig } from "./api/exchange.js";
import { compareOutcomes } from "./ui/agreement.js";
import { DailyChart } from "./ui/chart.js";
import { el, find, replaceChildren } from "./ui/dom.js";
import { Live } from "./ui/live.js";
import { loadThrough } from "./ui/load.js";
import { ProtocolPanel } from "./ui/panel.js";
import { renderAlerts, renderForecast, renderLatest, renderWeatherError } from "./ui/weather.js";

const PROTOCOLS = ["rest", "graphql", "grpc", "soap"];
const TITLES = { rest: "REST", graphql: "GraphQL", grpc: "gRPC", soap: "SOAP" };
const DEFAULT_STATION = "KJFK";

const page = {
  stations: [],
  station: null,
  units: "si",
  panels: {},
  load: 0, // the number of the newest load; an older one's results are dropped
};

async function main() {
  const config = await loadConfig();
  for (const link of document.querySelectorAll("a[data-config]")) {
    link.href = config[link.dataset.config];
  }
  const clients = await Promise.all(PROTOCOLS.map((protocol) => createClient(protocol, config)));
  const template = find(document, "#panel-template");
  const panelsBox = find(document, "#panels");
  for (const client of clients) {
    const panel = new ProtocolPanel(template, client);
    page.panels[client.protocol] = panel;
    panelsBox.append(panel.root);
  }
  const rest = page.panels.rest;

  const stationsResult = await rest.client.stations();
  page.stations = stationsResult.result;
  chooseFromAddress();
  fillStations();

  const chart = new DailyChart(find(document, "#chart"), find(document, "#chart-table"));
  const live = new Live({
    form: find(document, "#live"),
    status: find(document, "#live-status"),
    exchanges: find(document, "#live-exchanges"),
    panels: page.panels,
    chosen: () => ({ station: page.station, units: page.units }),
  });

  const reload = () => {
    remember();
    live.follow(page.station, page.units);
    return loadAll(chart);
  };
  find(document, "#station").addEventListener("change", (event) => {
    page.station = page.stations.find((s) => s.id === event.target.value);
    reload();
  });
  find(document, "#choose").addEventListener("submit", (event) => event.preventDefault());
  find(document, "#reload").addEventListener("click", () => loadAll(chart));
  for (const radio of document.querySelectorAll("input[name=units]")) {
    radio.addEventListener("change", () => {
      if (radio.checked) {
        page.units = radio.value;
        reload();
      }
    });
  }
  await reload();
}

/**
 * The protocol's client; if its module cannot load (the page is served without it), a
 * stand-in whose every call fails, so the other three panels still work.
 */
async function createClient(protocol, config) {
  try {
    const module = await import(`./api/${protocol}.js`);
    return module.createClient(config);
  } catch (cause) {
    const error = Object.assign(new Error(`its client did not load (${cause.message})`),
      { code: "UNAVAILABLE", exchanges: [] });
    const fail = async () => { throw error; };
    return {
      protocol, title: TITLES[protocol], route: "(client not loaded)", directNote: null,
      pushes: false, stations: fail, latest: fail, forecast: fail, daily: fail, alerts: fail,
      record: fail, watch: (ids, units, { onError }) => {
        queueMicrotask(() => onError(error));
        return { stop() {} };
      },
    };
  }
}

/** Loads the chosen station through all four panels; the REST one also feeds the weather app. */
async function loadAll(chart) {
  page.load += 1;
  const load = page.load;
  document.body.dataset.ready = "false";
  const weather = find(document, "#weather");
  weather.setAttribute("aria-busy", "true");
  const agreement = find(document, "#agreement");
  delete agreement.dataset.agree;
  agreement.textContent = "Waiting for the four panels…";
  const { station, units } = page;

  const loads = PROTOCOLS.map((protocol) => loadThrough(page.panels[protocol], station, units));
  loads[0].then((results) => {
    if (load !== page.load) return;
    renderLatest(weather, results.latest, station);
    renderForecast(find(weather, "#forecast"), results.forecast, station);
    renderAlerts(find(weather, "#alerts"), results.alerts, station);
    find(document, "#chart-caption").textContent =
      `Daily minimum and maximum temperature, ${results.range.start} to ${results.range.end} ` +
      "(the station's local days up to its latest observation).";
    chart.show(results.daily, units, results.range);
  }, (error) => {
    if (load !== page.load) return;
    renderWeatherError(weather, error);
    chart.clear("No chart: the REST client could not load this station.");
  });

  const settled = await Promise.allSettled(loads);
  if (load !== page.load) return;
  weather.setAttribute("aria-busy", "false");
  const outcomes = {};
  settled.forEach((outcome, index) => {
    const title = page.panels[PROTOCOLS[index]].client.title;
    if (outcome.status === "fulfilled") {
      const { latest, forecast, daily, alerts } = outcome.value;
      outcomes[title] = { latest, forecast, daily, alerts };
    } else {
      outcomes[title] = { error: outcome.reason?.code ?? String(outcome.reason) };
    }
  });
  const verdict = compareOutcomes(outcomes);
  agreement.dataset.agree = String(verdict.agree);
  agreement.textContent = verdict.text;
  document.body.dataset.ready = "true";
}

/** The station and units named in the page's address (?station=KJFK&units=us), if any. */
function chooseFromAddress() {
  const query = new URLSearchParams(location.search);
  const wanted = (query.get("station") ?? DEFAULT_STATION).toUpperCase();
  page.station = page.stations.find((s) => s.id === wanted)
    ?? page.stations.find((s) => s.id === DEFAULT_STATION) ?? page.stations[0];
  page.units = query.get("units") === "us" ? "us" : "si";
  for (const radio of document.querySelectorAll("input[name=units]")) {
    radio.checked = radio.value === page.units;
  }
}

/** Keeps the choice in the address, so a reload or a shared link shows the same station. */
function remember() {
  const query = new URLSearchParams({ station: page.station.id, units: page.units });
  history.replaceState(null, "", `${location.pathname}?${query}`);
}

function fillStations() {
  const select = find(document, "#station");
  replaceChildren(select, page.stations.map((station) => el("option", {
    value: station.id, selected: station.id === page.station.id,
  }, `${station.id} — ${station.name}`)));
  select.disabled = false;
}

main().catch((error) => {
  // Nothing could be loaded (no configuration, no station list): say so, and end the load.
  const box = find(document, "#page-error");
  box.hidden = false;
  box.textContent = `The page could not start: ${error.code ? `${error.code}: ` : ""}${error.message}`;
  document.body.dataset.ready = "true";
  throw error;
});
