// What each panel loads for a station, through its own protocol: the latest observation, then
// (from its time) the forecast, the recent days and the active alerts. The REST panel's results
// also feed the weather app.

import { addDays, localDate } from "./format.js";

export const FORECAST_DAYS = 7;
export const RECENT_DAYS = 14;

/**
 * Loads `station` in `units` through `panel.client`, showing each call's exchanges in the panel
 * as they end. Resolves to {latest, forecast, daily, alerts}; rejects with the first error
 * (an ApiError: code, message, exchanges) after every started call has ended.
 */
export async function loadThrough(panel, station, units) {
  const client = panel.client;
  const generation = panel.begin();
  const call = async (operation) => {
    const show = panel.slot(generation);
    try {
      const { result, exchanges } = await operation();
      show(exchanges ?? []);
      return result;
    } catch (error) {
      show(error.exchanges ?? []);
      throw error;
    }
  };
  try {
    const latest = await call(() => client.latest(station.id, units));
    panel.showLatest(generation, latest);
    // The recent days end on the station's local date of its latest observation.
    const end = localDate(latest.observed_at, station.timezone);
    const start = addDays(end, 1 - RECENT_DAYS);
    const settled = await Promise.allSettled([
      call(() => client.forecast(station.id, FORECAST_DAYS, units)),
      call(() => client.daily(station.id, start, end, units)),
      // "active" at the station's own now: its latest observation (the seed ends in 2013; a
      // write made on this page moves it to today)
      call(() => client.alerts(station.id, latest.observed_at)),
    ]);
    const failed = settled.find((outcome) => outcome.status === "rejected");
    if (failed) throw failed.reason;
    const [forecast, daily, alerts] = settled.map((outcome) => outcome.value);
    panel.done(generation);
    return { latest, forecast, daily, alerts, range: { start, end } };
  } catch (error) {
    panel.fail(generation, error);
    throw error;
  }
}
