// "My day": the signed-in rep's own calls, connects, connect rate, talk
// time and outcomes since local midnight (GET /api/v1/stats), and on
// demand a chart of the last 14 days, where a trend reads better than a
// number (charts.js).
import { api } from './api.js';
import { dayBars, localMidnight, unixSeconds as seconds } from './charts.js';
import { $, plural } from './dom.js';
import { clock, outcomeLabel } from './labels.js';

const TREND_DAYS = 14;


async function statsFor(agent, from) {
  const query = new URLSearchParams({ agent_id: agent, from: seconds(from) });
  return api('GET', '/api/v1/stats?' + query.toString());
}

function showFigures(stats) {
  const totals = stats.totals || {};
  $('stat-calls').textContent = String(totals.calls ?? 0);
  $('stat-connects').textContent = String(totals.connects ?? 0);
  $('stat-rate').textContent = totals.calls ? `${Math.round((totals.connect_rate || 0) * 100)}%` : '–';
  $('stat-talk').textContent = clock(totals.talk_seconds || 0);
  const outcomes = Object.entries(stats.outcomes || {});
  $('stat-outcomes').textContent = outcomes.length
    ? 'Outcomes today: ' + outcomes.map(([code, n]) => `${outcomeLabel(code)} ${n}`).join(', ')
    : 'No calls logged yet today.';
}

/// The last 14 local days, oldest first, with the host's per-day rows
/// (UTC days) placed by date.
function days(perDay) {
  const byDay = new Map((perDay || []).map((row) => [row.day, row]));
  const out = [];
  for (let ago = TREND_DAYS - 1; ago >= 0; --ago) {
    const day = localMidnight(ago);
    const key = `${day.getFullYear()}-${String(day.getMonth() + 1).padStart(2, '0')}-${String(day.getDate()).padStart(2, '0')}`;
    const row = byDay.get(key) || {};
    out.push({ day, calls: row.calls || 0, connects: row.connects || 0 });
  }
  return out;
}

function caption(series) {
  const calls = series.reduce((sum, d) => sum + d.calls, 0);
  const connects = series.reduce((sum, d) => sum + d.connects, 0);
  if (calls === 0) return `No calls in the last ${TREND_DAYS} days.`;
  const busiest = series.reduce((best, d) => (d.calls > best.calls ? d : best), series[0]);
  const date = busiest.day.toLocaleDateString(undefined, { weekday: 'short', day: 'numeric', month: 'short' });
  return `Calls and connects per day, last ${TREND_DAYS} days: ${plural(calls, 'call')}, `
    + `${plural(connects, 'connect')}; busiest ${date} (${plural(busiest.calls, 'call')}).`;
}

async function showTrend(agent) {
  const stats = await statsFor(agent, localMidnight(TREND_DAYS - 1));
  const series = days(stats.per_day);
  $('trend-caption').textContent = caption(series);
  try {
    await dayBars($('trend-chart'), series);
  } catch (error) {
    $('trend-caption').textContent += ` (${error.message}; the figures above still hold.)`;
  }
}

/// Refreshes the panel (figures always, the chart when it is open).
export async function loadStats(me) {
  if (!me) return;
  try {
    showFigures(await statsFor(me.name, localMidnight()));
    if ($('trend').open) await showTrend(me.name);
  } catch (error) {
    $('stat-outcomes').textContent = `Your numbers are not available: ${error.message}`;
  }
}

export function wireStats(getMe) {
  $('trend').addEventListener('toggle', () => {
    if ($('trend').open) showTrend(getMe().name).catch((error) => { $('trend-caption').textContent = error.message; });
  });
}
