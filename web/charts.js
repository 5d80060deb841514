// Calls and connects per day as bars (uPlot, vendored from the npm registry
// and served by the host like the provider SDKs), for "My day" and the
// team's stats alike.
import { el } from './dom.js';

let library = null;

/// Local midnight `daysAgo` days back: where a person's day begins.
export function localMidnight(daysAgo = 0) {
  const day = new Date();
  day.setHours(0, 0, 0, 0);
  day.setDate(day.getDate() - daysAgo);
  return day;
}

/// A date as the API's Unix seconds.
export const unixSeconds = (date) => String(Math.floor(date.getTime() / 1000));

export function loadChartLibrary() {
  if (!library) {
    library = new Promise((resolve, reject) => {
      const style = el('link', { rel: 'stylesheet', href: '/ui/vendor/uPlot.min.css' });
      const script = el('script', { src: '/ui/vendor/uPlot.iife.min.js' });
      script.onload = () => resolve(window.uPlot);
      script.onerror = () => { library = null; reject(new Error('the chart library is not installed with this host')); };
      document.head.append(style, script);
    });
  }
  return library;
}

// One chart per box, kept as the promise of its creation: two refreshes
// that overlap (a panel opened while a reload is under way) must share one
// chart, not each append a canvas.
const charts = new WeakMap();

function createBars(uPlot, box, data, width, height) {
  const bars = uPlot.paths.bars({ size: [0.7, 40] });
  return new uPlot({
    width,
    height,
    legend: { show: true, live: false },
    cursor: { drag: { x: false, y: false } },
    // Half a day either side, so the first and last days' bars are whole.
    scales: { x: { time: true, range: (u, min, max) => [min - 43200, max + 43200] },
      y: { range: (u, min, max) => [0, Math.max(4, max)] } },
    axes: [{ space: 50 }, { incrs: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000] }],
    series: [
      { label: 'Day' },
      { label: 'Calls', stroke: '#1f5fbf', fill: 'rgba(31, 95, 191, 0.35)', paths: bars, points: { show: false } },
      { label: 'Connects', stroke: '#1e7a3a', fill: 'rgba(30, 122, 58, 0.6)', paths: bars, points: { show: false } },
    ],
  }, data, box);
}

/// Draws `days` ([{day: Date, calls, connects}], oldest first) in `box`,
/// or redraws the chart already there. Throws when the library cannot
/// load: the caller says so beside its figures.
export async function dayBars(box, days, { height = 180, maxWidth = 720 } = {}) {
  const data = [days.map((d) => d.day.getTime() / 1000), days.map((d) => d.calls), days.map((d) => d.connects)];
  const width = Math.max(260, Math.min(box.clientWidth || maxWidth, maxWidth));
  const existing = charts.get(box);
  if (existing) {
    const chart = await existing;
    chart.setData(data);
    chart.setSize({ width, height });
    return chart;
  }
  const created = loadChartLibrary().then((uPlot) => createBars(uPlot, box, data, width, height));
  charts.set(box, created);
  created.catch(() => charts.delete(box));
  return created;
}
