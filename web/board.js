// The supervisor's board (Team tab): every agent's state now, their live
// call and today's figures (GET /api/v1/agents/now), asked again whenever
// the event stream reports a change, with a clock that counts each state's
// time between asks; and the team's stats over a chosen span (GET
// /api/v1/stats): calls and connects per day as a chart, per agent and per
// outcome as tables.
import { api } from './api.js';
import { dayBars, localMidnight, unixSeconds as seconds } from './charts.js';
import { $, el, plural } from './dom.js';
import { clock, outcomeLabel } from './labels.js';

const STATES = {
  idle: 'Idle', dialing: 'Dialing', ringing: 'Ringing', talking: 'Talking', on_hold: 'On hold', logging: 'Logging the call',
};
// Who needs an eye first: people on calls, then wrapping up, then idle.
const ORDER = { talking: 0, on_hold: 1, ringing: 2, dialing: 3, logging: 4, idle: 5 };

let board = null;     // the last answer
let askedAt = 0;      // Date.now() when it came
let ticker = null;
let pending = null;
let shown = '';         // what the stats below were last read for
let statsTimer = null;

const percent = (row) => (row.calls ? `${Math.round((row.connect_rate || 0) * 100)}%` : '–');
const visible = () => !$('panel-team').hidden;

function callCell(row) {
  if (!row.call) return '';
  const call = row.call;
  const who = [call.contact_name, call.contact_company].filter(Boolean).join(', ');
  return `${who || 'Unknown contact'} · ${call.to}`;
}

/// Seconds in the current state, counted from the host's clock: `since`
/// is the host's time, `as_of` its now when it answered.
function elapsed(row) {
  if (!row.since || !board) return null;
  const hostNow = Date.parse(board.as_of) + (Date.now() - askedAt);
  return Math.max(0, (hostNow - Date.parse(row.since)) / 1000);
}

function render() {
  const totals = board.totals || {};
  $('team-calls').textContent = String(totals.calls ?? 0);
  $('team-connects').textContent = String(totals.connects ?? 0);
  $('team-rate').textContent = percent(totals);
  $('team-talk').textContent = clock(totals.talk_seconds || 0);
  const rows = [...board.agents].sort((a, b) => (ORDER[a.state] - ORDER[b.state]) || a.name.localeCompare(b.name));
  $('board-rows').replaceChildren(...rows.map((row) => {
    const since = elapsed(row);
    return el('tr', { 'data-agent': row.agent_id },
      el('td', {}, el('strong', {}, row.name), row.name !== row.agent_id ? el('div', { class: 'muted' }, row.agent_id) : null),
      el('td', { 'data-label': 'State' }, el('span', { class: `badge state-${row.state}` }, STATES[row.state] || row.state)),
      el('td', { 'data-label': 'Call' }, callCell(row)),
      el('td', { 'data-label': 'For', class: 'timer', 'data-since': row.since || '' },
        since === null || row.state === 'idle' ? '' : clock(since)),
      el('td', { 'data-label': 'Calls' }, String(row.today.calls)),
      el('td', { 'data-label': 'Connects' }, String(row.today.connects)),
      el('td', { 'data-label': 'Rate' }, percent(row.today)),
      el('td', { 'data-label': 'Talk time' }, clock(row.today.talk_seconds || 0)));
  }));
  if (rows.length === 0) {
    $('board-rows').append(el('tr', {}, el('td', { colspan: '8' },
      'No agents yet. An admin adds people on the People tab.')));
  }
  const select = $('team-agent');
  const chosen = select.value;
  select.replaceChildren(el('option', { value: '' }, 'Everyone'),
    ...board.agents.map((row) => el('option', { value: row.agent_id }, row.name)));
  select.value = board.agents.some((row) => row.agent_id === chosen) ? chosen : '';
}

/// Only the clocks move between asks.
function tick() {
  if (!board || !visible()) return;
  for (const cell of $('board-rows').querySelectorAll('td[data-since]')) {
    const row = board.agents.find((r) => r.agent_id === cell.parentElement.dataset.agent);
    if (row && row.state !== 'idle') {
      const since = elapsed(row);
      if (since !== null) cell.textContent = clock(since);
    }
  }
}

export async function loadBoard() {
  try {
    board = await api('GET', `/api/v1/agents/now?from=${seconds(localMidnight())}`);
    askedAt = Date.now();
    render();
    $('board-status').textContent = `Live · updated ${new Date().toLocaleTimeString()}`;
    // A call placed, ended or logged moves the stats below too: read them
    // again, once for a burst.
    const now = JSON.stringify([board.totals, board.agents.map((row) => row.state)]);
    if (shown && now !== shown && !statsTimer) {
      statsTimer = setTimeout(() => { statsTimer = null; loadTeamStats(); }, 1000);
    }
    shown = now;
  } catch (error) {
    $('board-status').textContent = `The board is not available: ${error.message}`;
  }
  if (!ticker) ticker = setInterval(tick, 1000);
}

/// A call changed (a stream frame or a poll): one ask for a burst.
export function boardChanged() {
  if (!visible() || pending) return;
  pending = setTimeout(() => { pending = null; loadBoard(); }, 300);
}

// --- Team stats -----------------------------------------------------------------------------

function dateInput(date) {
  return `${date.getFullYear()}-${String(date.getMonth() + 1).padStart(2, '0')}-${String(date.getDate()).padStart(2, '0')}`;
}

function span() {
  const from = $('team-from').value ? new Date(`${$('team-from').value}T00:00:00`) : localMidnight(13);
  const to = $('team-to').value ? new Date(`${$('team-to').value}T00:00:00`) : localMidnight();
  const end = new Date(to);
  end.setDate(end.getDate() + 1);  // the whole last day
  return { from, to, end };
}

function perDaySeries(perDay, from, to) {
  const byDay = new Map((perDay || []).map((row) => [row.day, row]));
  const out = [];
  for (const day = new Date(from); day <= to && out.length < 366; day.setDate(day.getDate() + 1)) {
    const row = byDay.get(dateInput(day)) || {};
    out.push({ day: new Date(day), calls: row.calls || 0, connects: row.connects || 0 });
  }
  return out;
}

async function drawChart(series) {
  const calls = series.reduce((sum, d) => sum + d.calls, 0);
  const connects = series.reduce((sum, d) => sum + d.connects, 0);
  $('team-chart-caption').textContent = calls === 0
    ? `No calls from ${series[0].day.toLocaleDateString()} to ${series[series.length - 1].day.toLocaleDateString()}.`
    : `Calls and connects per day: ${plural(calls, 'call')}, ${plural(connects, 'connect')} over ${plural(series.length, 'day')}.`;
  try {
    await dayBars($('team-chart'), series, { height: 200, maxWidth: 1100 });
  } catch (error) {
    $('team-chart-caption').textContent += ` (${error.message}; the tables below still hold.)`;
  }
}

export async function loadTeamStats() {
  const { from, to, end } = span();
  if (to < from) {
    $('team-chart-caption').textContent = 'The span ends before it begins: pick a later To date.';
    return;
  }
  const query = new URLSearchParams({ from: seconds(from), to: seconds(end) });
  if ($('team-agent').value) query.set('agent_id', $('team-agent').value);
  let stats;
  try {
    stats = await api('GET', '/api/v1/stats?' + query.toString());
  } catch (error) {
    $('team-chart-caption').textContent = `The team's stats are not available: ${error.message}`;
    return;
  }
  const names = new Map((board ? board.agents : []).map((row) => [row.agent_id, row.name]));
  $('team-agent-rows').replaceChildren(...(stats.per_agent || []).map((row) => el('tr', {},
    el('td', {}, names.get(row.agent_id) || row.agent_id),
    el('td', { 'data-label': 'Calls' }, String(row.calls)),
    el('td', { 'data-label': 'Connects' }, String(row.connects)),
    el('td', { 'data-label': 'Rate' }, percent(row)),
    el('td', { 'data-label': 'Talk time' }, clock(row.talk_seconds || 0)),
    el('td', { 'data-label': 'Average talk' }, clock(row.average_talk_seconds || 0)))));
  const outcomes = Object.entries(stats.outcomes || {});
  const logged = outcomes.reduce((sum, [, n]) => sum + n, 0);
  $('team-outcome-rows').replaceChildren(...outcomes.map(([code, n]) => el('tr', {},
    el('td', {}, outcomeLabel(code)),
    el('td', { 'data-label': 'Calls' }, String(n)),
    el('td', { 'data-label': 'Share' }, `${Math.round((n / logged) * 100)}%`))));
  if (outcomes.length === 0) {
    $('team-outcome-rows').append(el('tr', {}, el('td', { colspan: '3' }, 'No outcomes logged in this span.')));
  }
  await drawChart(perDaySeries(stats.per_day, from, to));
}

export async function showTeam() {
  await loadBoard();
  await loadTeamStats();
}

export function wireBoard() {
  $('team-from').value = dateInput(localMidnight(13));
  $('team-to').value = dateInput(localMidnight());
  $('team-stats-filters').addEventListener('submit', (event) => event.preventDefault());
  for (const id of ['team-from', 'team-to', 'team-agent']) $(id).addEventListener('change', loadTeamStats);
}
