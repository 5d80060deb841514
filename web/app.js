// The dialer page: sign in, upload and work a list, talk, log, look back.
// Plain modules, no framework: every control is a native element, so the
// page is keyboard operable as it stands.
import { api, ApiFailure, download, isWorkbook, saveKey, savedKey, uploadList } from './api.js';
import { legFor } from './adapters.js';
import { boardChanged, showTeam, wireBoard } from './board.js';
import { $, el } from './dom.js';
import { LiveEvents } from './live.js';
import { showPeople, wirePeople } from './people.js';
import { clock, contactStatusLabel, outcomeLabel, resultLabel, suggestedOutcome, when } from './labels.js';
import { hideMapping, showMapping } from './mapping.js';
import { renderReport } from './report.js';
import { loadStats, wireStats } from './stats.js';
import { timelineItems } from './timeline.js';
import { forgetSkips, lastWorkedList, nextContact, rememberList, rememberedList, skip } from './worklist.js';
const FINAL = new Set(['completed', 'busy', 'no-answer', 'failed', 'canceled']);

const state = {
  me: null,
  provider: null,
  dispositions: [],
  lists: [],
  listId: null,
  appendTo: null,    // the list an upload adds to (null: a new list)
  page: 1,
  pages: 1,
  historyPage: 1,
  historyPages: 1,
  call: null,        // the call record as last seen
  contact: null,     // the contact being called
  leg: null,         // the browser leg adapter
  logging: false,    // the log form is showing
  reportListId: null, // the list the import report shows (null: a refused file)
  next: null,        // the contact "Save and dial next" would dial
  unlogged: null,    // { call, contact }: a call whose log form was cancelled
  statsStale: false, // one of this rep's calls changed since My day was loaded
  live: null,
  pollTimer: null,
  tickTimer: null,
};

function banner(message) {
  $('banner').textContent = message || '';
  $('banner').hidden = !message;
}

function messageOf(error) {
  if (error instanceof ApiFailure) {
    if (error.code === 'DNC_BLOCKED') return 'This number is on the do-not-call list; it cannot be dialed.';
    if (error.code === 'AGENT_BUSY') return 'You already have a call in progress. End it before dialing again.';
    return error.message;
  }
  return error && error.message ? error.message : String(error);
}

// --- Sign-in ---------------------------------------------------------------

/// Enters the workspace as the key's holder, or (key '') as the person
/// whose session cookie the browser holds. `quiet`: no error shown when
/// there is no session (the page's first look).
async function signIn(key, quiet = false) {
  $('sign-in-error').textContent = '';
  saveKey(key);
  try {
    state.me = await api('GET', '/api/v1/me', undefined, key);
  } catch (error) {
    if (!quiet) $('sign-in-error').textContent = messageOf(error);
    saveKey('');
    return false;
  }
  try {
    const [provider, dispositions] = await Promise.all([api('GET', '/api/v1/provider'),
      api('GET', '/api/v1/dispositions')]);
    state.provider = provider;
    state.dispositions = dispositions.dispositions || [];
  } catch (error) {
    banner(`The dialer cannot start: ${messageOf(error)}`);
  }
  const name = state.provider ? state.provider.name || state.provider.id : 'no provider';
  const who = state.me.kind === 'user' ? `${state.me.display_name} (${state.me.role})` : state.me.name;
  $('provider-badge').textContent = `Signed in as ${who} · Using ${name}`;
  showRoleTabs(state.me.role);
  $('sign-in').hidden = true;
  $('workspace').hidden = false;
  $('sign-out').hidden = false;
  fillOutcomeSelects();
  startLive();
  loadStats(state.me);
  await loadLists();
  await resumeLiveCall();
  return true;
}

async function signInWithPassword(email, password) {
  $('sign-in-error').textContent = '';
  try {
    await api('POST', '/api/v1/session', { email, password }, '');
  } catch (error) {
    $('sign-in-error').textContent = messageOf(error);
    $('password').value = '';
    $('password').focus();
    return false;
  }
  $('password').value = '';
  return signIn('');
}

async function signOut() {
  if (state.live) state.live.stop();
  if (!savedKey()) {
    // Ends the session on the host too, not only in this browser.
    await api('DELETE', '/api/v1/session', undefined, '').catch(() => {});
  }
  saveKey('');
  location.reload();
}

function fillOutcomeSelects() {
  const outcome = $('outcome');
  outcome.replaceChildren(el('option', { value: '' }, 'Choose an outcome…'));
  const filter = $('history-outcome');
  filter.replaceChildren(el('option', { value: '' }, 'Any'));
  for (const code of state.dispositions) {
    outcome.append(el('option', { value: code }, outcomeLabel(code)));
    filter.append(el('option', { value: code }, outcomeLabel(code)));
  }
}

// --- Lists and upload ----------------------------------------------------------

async function loadLists(selectId) {
  try {
    const lists = await api('GET', '/api/v1/contact-lists');
    state.lists = lists.data || [];
  } catch (error) {
    banner(messageOf(error));
    return;
  }
  const select = $('list-select');
  select.replaceChildren();
  for (const list of state.lists) {
    select.append(el('option', { value: list.id, 'data-name': list.name }, `${list.name} (${list.contact_count ?? list.imported} contacts)`));
  }
  if (state.lists.length === 0) {
    showUpload(false);
    return;
  }
  // The list being worked, remembered per rep (not "the newest list").
  const known = (id) => id && state.lists.some((list) => list.id === id);
  let remembered = rememberedList(state.me);
  if (!selectId && !known(state.listId) && !known(remembered)) {
    remembered = await lastWorkedList(state.me).catch(() => null);
  }
  state.listId = [selectId, state.listId, remembered].find(known) || state.lists[0].id;
  rememberList(state.me, state.listId);
  select.value = String(state.listId);
  $('upload').hidden = true;
  $('contacts').hidden = false;
  state.page = 1;
  await loadContacts();
}

/// The upload form, for a new list or (with `appendTo`, a list) for adding
/// a file's rows to that list.
function showUpload(cancellable, appendTo = null) {
  state.appendTo = appendTo;
  $('upload-title').textContent = appendTo ? `Add a file to “${appendTo.name}”` : 'Upload a contact list';
  $('list-name-field').hidden = Boolean(appendTo);
  $('upload-button').textContent = appendTo ? 'Add to the list' : 'Upload';
  hideMapping();
  $('list-status').textContent = '';
  $('upload').hidden = false;
  $('contacts').hidden = true;
  $('upload-cancel').hidden = !cancellable;
  $('upload-status').textContent = '';
  hideReport();
  $('csv-file').focus();
}

/// The import report, in one place; it belongs to one list (or to a file
/// that was refused) and goes away when another list is shown.
function showReport(report, list) {
  state.reportListId = list ? list.id : null;
  $('report-title').textContent = list ? `Import report: ${list.name}` : 'Why the file was not imported';
  $('upload-report').hidden = !renderReport($('report-summary'), $('report-groups'), report, list);
}

function hideReport() {
  state.reportListId = null;
  $('upload-report').hidden = true;
}

async function showListReport() {
  try {
    const list = await api('GET', `/api/v1/contact-lists/${state.listId}`);
    showReport(list.report || {}, list);
    if ($('upload-report').hidden) $('list-status').textContent = `${list.name}: every row was imported as written.`;
    else $('report-title').focus();
  } catch (error) {
    banner(messageOf(error));
  }
}

async function upload(event) {
  event.preventDefault();
  const file = $('csv-file').files[0];
  if (!file) {
    $('upload-status').textContent = 'Choose a CSV or Excel file first.';
    return;
  }
  hideMapping();
  const sheet = isWorkbook(file) ? $('sheet-name').value.trim() : '';
  await sendUpload(file, $('list-name').value.trim(), null, state.appendTo, sheet);
}

/// The sheet field is for workbooks only.
function fileChosen() {
  const file = $('csv-file').files[0];
  $('sheet-field').hidden = !(file && isWorkbook(file));
}

/// Sends `file` as a new list; when the host asks which column holds what,
/// shows the mapping form and sends the same file again with the answer.
async function sendUpload(file, name, mapping, appendTo, sheet = '') {
  const progress = $('upload-progress');
  progress.hidden = false;
  progress.value = 0;
  $('upload-button').disabled = true;
  $('upload-status').textContent = `Uploading ${file.name}…`;
  hideReport();
  try {
    const result = await uploadList(file, name, (percent) => { progress.value = percent; }, mapping,
      appendTo ? appendTo.id : null, sheet);
    progress.value = 100;
    const list = result.list;
    const report = result.report || {};
    // This file's counts (an added file's list holds the totals).
    const counts = appendTo ? report : list;
    const from = report.sheet ? ` from the sheet “${report.sheet}”` : '';
    const parts = [`${appendTo ? 'Added' : 'Imported'} ${counts.imported} contact${counts.imported === 1 ? '' : 's'}${from}`];
    if (report.already_in_list) parts.push(`${report.already_in_list} already in the list`);
    if (counts.skipped) parts.push(`${counts.skipped} row${counts.skipped === 1 ? '' : 's'} skipped`);
    const inFile = counts.duplicates - (report.already_in_list || 0);
    if (inFile > 0) parts.push(`${inFile} duplicate${inFile === 1 ? '' : 's'} merged`);
    $('upload-status').textContent = parts.join(', ') + '.';
    $('list-status').textContent = `${list.name}: ${parts.join(', ')}.`;
    $('csv-file').value = '';
    $('list-name').value = '';
    $('sheet-name').value = '';
    $('sheet-field').hidden = true;
    state.listId = list.id;
    forgetSkips();
    await loadLists(list.id);
    // The report sits beside the new list, once, until another list is shown.
    showReport(report, list);
  } catch (error) {
    if (error instanceof ApiFailure && error.code === 'MAPPING_REQUIRED' && error.details) {
      $('upload-status').textContent = `${file.name}: choose which column holds what.`;
      showMapping(error.details, (chosen) => sendUpload(file, name, chosen, appendTo, sheet), () => {
        $('upload-status').textContent = 'Nothing was imported.';
      });
      return;
    }
    $('upload-status').textContent = `The file was not imported: ${messageOf(error)}`;
    showReport(error.details, null);
  } finally {
    progress.hidden = true;
    $('upload-button').disabled = false;
  }
}

// --- Contacts --------------------------------------------------------------------

/// The contacts query the page shows now: list, page, size, search, status.
function contactsQuery() {
  const query = new URLSearchParams({ list_id: state.listId, page: state.page, per_page: Number($('page-size').value) });
  const q = $('contact-search').value.trim();
  if (q) query.set('q', q);
  if ($('contact-status').value) query.set('status', $('contact-status').value);
  return query.toString();
}

async function loadContacts() {
  if (!state.listId) return;
  const perPage = Number($('page-size').value);
  const asked = contactsQuery();
  let page;
  try {
    page = await api('GET', '/api/v1/contacts?' + asked);
  } catch (error) {
    banner(messageOf(error));
    return;
  }
  // The rep may have chosen another list (or page, or filter) meanwhile: a
  // slow answer to the old question must not replace the table they asked for.
  if (asked !== contactsQuery()) return;
  banner('');
  state.pages = Math.max(1, Math.ceil(page.total / perPage));
  $('page-info').textContent = `Page ${state.page} of ${state.pages} · ${page.total} contact${page.total === 1 ? '' : 's'}`;
  $('page-prev').disabled = state.page <= 1;
  $('page-next').disabled = state.page >= state.pages;
  const rows = $('contact-rows');
  const focused = focusedKey(rows, 'data-contact-id');
  rows.replaceChildren();
  if (page.data.length === 0) {
    rows.append(el('tr', {}, el('td', { colspan: '5', class: 'muted' }, 'No contacts match.')));
  }
  for (const contact of page.data) rows.append(contactRow(contact));
  restoreFocus(rows, 'data-contact-id', focused);
}

/// A table re-rendered by a live update must not take the keyboard focus
/// away: the focused row button's key, to focus its successor afterwards.
function focusedKey(container, attribute) {
  const active = document.activeElement;
  return active && container.contains(active) ? active.getAttribute(attribute) : null;
}

function restoreFocus(container, attribute, value) {
  if (value === null) return;
  const again = container.querySelector(`[${attribute}="${CSS.escape(value)}"]`);
  if (again) again.focus();
}

function contactRow(contact) {
  const status = el('span', { class: `badge status-${contact.status}` }, contactStatusLabel(contact.status));
  // "Do not call · Do not call" says nothing twice.
  const repeats = contact.status === 'do_not_call' && contact.last_outcome === 'do_not_call';
  const outcome = contact.last_outcome && !repeats
    ? el('span', { class: 'outcome' }, ` · ${outcomeLabel(contact.last_outcome)}`) : null;
  // Called, and that call has no outcome yet: say so rather than nothing.
  const unlogged = contact.status === 'called' && !contact.last_outcome
    ? el('span', { class: 'badge unlogged' }, 'Not logged') : null;
  const action = contact.status === 'do_not_call'
    ? el('span', { class: 'muted' }, 'Not dialable')
    : el('button', {
      type: 'button',
      class: 'dial',
      'aria-label': `${contact.status === 'not_called' ? 'Dial' : 'Redial'} ${contact.name}`,
      'data-contact-id': String(contact.id),
      onclick: () => dial(contact),
    }, contact.status === 'not_called' ? 'Dial' : 'Redial');
  if (action.tagName === 'BUTTON') action.disabled = Boolean(state.call);
  return el('tr', {},
    el('td', { class: 'primary' }, el('strong', {}, contact.name), contact.title ? el('div', { class: 'muted' }, contact.title) : null),
    el('td', { 'data-label': 'Company' }, contact.company || ''),
    el('td', { 'data-label': 'Phone' }, contact.phone),
    el('td', { 'data-label': 'Status' }, status, outcome, unlogged ? ' ' : null, unlogged,
      contact.last_notes ? el('div', { class: 'muted notes' }, contact.last_notes) : null),
    el('td', { class: 'action' }, action));
}

function setDialButtonsEnabled(enabled) {
  for (const button of document.querySelectorAll('#contact-rows button.dial')) button.disabled = !enabled;
}

// --- The call ----------------------------------------------------------------------

function setTitle(text) {
  $('call-title').textContent = text;
}

function openDialog(contact) {
  setTitle('Calling');
  $('call-contact').textContent = contact.name;
  $('call-detail').textContent = [contact.company, contact.phone].filter(Boolean).join(' • ');
  $('call-state').textContent = 'Dialing...';
  $('call-timer').textContent = '00:00';
  $('call-error').textContent = '';
  $('log-error').textContent = '';
  $('log-form').hidden = true;
  $('call-controls').hidden = false;
  $('call-close').hidden = true;
  $('join-audio').hidden = true;
  $('call-audio').hidden = true;
  $('mute-button').setAttribute('aria-pressed', 'false');
  $('hold-button').setAttribute('aria-pressed', 'false');
  $('mute-button').disabled = true;
  $('hold-button').disabled = true;
  $('end-button').disabled = false;
  $('notes').value = '';
  state.logging = false;
  const dialog = $('call-dialog');
  if (!dialog.open) dialog.showModal();
  $('end-button').focus();
}

function failBeforeCall(message) {
  setTitle('Not connected');
  $('call-state').textContent = 'Not connected';
  $('call-error').textContent = message;
  $('call-controls').hidden = true;
  $('call-close').hidden = false;
  $('call-close').focus();
  state.contact = null;
  setDialButtonsEnabled(true);
}

async function microphoneAllowed() {
  if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
    return 'This browser cannot use a microphone here: open the dialer over HTTPS (or on localhost).';
  }
  try {
    const stream = await navigator.mediaDevices.getUserMedia({ audio: true });
    for (const track of stream.getTracks()) track.stop();
    return '';
  } catch (error) {
    if (error && (error.name === 'NotAllowedError' || error.name === 'SecurityError')) {
      return 'Microphone access was denied. Allow the microphone for this site (the icon in the address bar), then dial again.';
    }
    return `No microphone could be opened (${error && error.name ? error.name : 'unknown error'}). Check that one is connected.`;
  }
}

async function dial(contact) {
  if (state.call || state.contact) return;
  state.contact = contact;
  setDialButtonsEnabled(false);
  openDialog(contact);
  state.leg = legFor(state.provider ? state.provider.id : 'sim');
  try {
    await state.leg.prepare();
  } catch (error) {
    failBeforeCall(messageOf(error));
    return;
  }
  const microphone = await microphoneAllowed();
  if (microphone) {
    failBeforeCall(microphone);
    return;
  }
  let call;
  try {
    call = await api('POST', '/api/v1/calls', { contact_id: contact.id });
  } catch (error) {
    const busyWith = error instanceof ApiFailure && error.code === 'AGENT_BUSY' ? error.details.call_id : null;
    if (busyWith && await takeBackById(busyWith)) return;  // placed from another tab: show that one
    failBeforeCall(`The call could not be placed: ${messageOf(error)}`);
    loadContacts();
    return;
  }
  state.call = call;
  renderCall(call);
  loadContacts();  // the row now says "In call"
  startPolling();
  state.tickTimer = setInterval(tick, 500);
  await joinAudio();
}

/// Connects this page's audio to the call (again, after a reload).
async function joinAudio() {
  const call = state.call;
  if (!call) return;
  $('join-audio').hidden = true;
  $('call-audio').hidden = true;
  try {
    const joined = await api('POST', `/api/v1/calls/${call.id}/join`, {});
    await state.leg.connect(joined.credential, {
      onError: (message) => { $('call-error').textContent = message; },
      onLocalEnd: () => refreshCall(),
      refresh: async () => (await api('POST', `/api/v1/calls/${call.id}/join`, { refresh: true })).credential,
    });
  } catch (error) {
    $('call-error').textContent = `Your audio could not join the call: ${messageOf(error)}. You can end the call.`;
  }
}

// --- Taking a live call back (a reload, a crashed tab, another tab or machine) ---

/// The signed-in person's calls in progress, newest first.
async function ownLiveCalls() {
  const mine = state.me.role === 'agent' ? '' : `?agent_id=${encodeURIComponent(state.me.name)}`;
  const answer = await api('GET', `/api/v1/calls/active${mine}`);
  return (answer.data || []).sort((a, b) => (a.created_at < b.created_at ? 1 : -1));
}

async function takeBackById(id) {
  try {
    return await takeBack(await api('GET', `/api/v1/calls/${id}`));
  } catch {
    return false;
  }
}

/// Shows `call` in the call view with its true state and timer, so the rep
/// can talk, end and log it; offers to connect this page's audio.
async function takeBack(call) {
  if (state.call && state.call.id !== call.id) return false;
  let contact = { id: call.contact_id, name: call.to, company: '', phone: call.to };
  if (call.contact_id) {
    try {
      contact = await api('GET', `/api/v1/contacts/${call.contact_id}`);
    } catch {
      // the list may be gone; the number is enough to go on
    }
  }
  state.contact = contact;
  state.call = call;
  state.leg = legFor(state.provider ? state.provider.id : 'sim');
  setDialButtonsEnabled(false);
  openDialog(contact);
  renderCall(call);
  if (FINAL.has(call.status)) return true;
  startPolling();
  if (!state.tickTimer) state.tickTimer = setInterval(tick, 500);
  const agent = (call.legs && call.legs.agent) || {};
  if (agent.state === 'connected' || agent.state === 'connecting') {
    // Perhaps another window's audio, perhaps this page's before it reloaded:
    // the rep decides, rather than two pages fighting over one call.
    $('call-audio').textContent = 'Your audio may still be connected in another window. Join here to talk from this page.';
    $('call-audio').hidden = false;
    $('join-audio').hidden = false;
    return true;
  }
  try {
    await state.leg.prepare();
  } catch (error) {
    $('call-error').textContent = messageOf(error);
    return true;
  }
  const microphone = await microphoneAllowed();
  if (microphone) {
    $('call-error').textContent = microphone;
    return true;
  }
  await joinAudio();
  return true;
}

async function joinAudioHere() {
  if (!state.call) return;
  $('join-audio').hidden = true;  // once: a second press would join twice
  $('call-audio').hidden = true;
  try {
    await state.leg.prepare();
  } catch (error) {
    $('call-error').textContent = messageOf(error);
    return;
  }
  const microphone = await microphoneAllowed();
  if (microphone) {
    $('call-error').textContent = microphone;
    return;
  }
  await joinAudio();
}

async function resumeLiveCall() {
  let calls = [];
  try {
    calls = await ownLiveCalls();
  } catch {
    return;  // dialing still finds the call (AGENT_BUSY names it)
  }
  if (calls.length && !state.call && !state.contact) await takeBack(calls[0]);
}

function describe(call) {
  if (FINAL.has(call.status)) {
    return call.result === 'answered' ? 'Call ended' : `Call ended — ${resultLabel(call.result || call.status)}`;
  }
  if (call.status === 'in-progress') {
    const legs = call.legs || {};
    if (!(legs.agent && legs.agent.state === 'connected')) return 'Connecting your audio...';
    // Said in words, not only by a button's look.
    const states = [legs.contact && legs.contact.held ? 'On hold' : null, legs.agent.muted ? 'Muted' : null];
    return ['Connected', ...states.filter(Boolean)].join(' · ');
  }
  if (call.status === 'ringing') return 'Ringing...';
  return 'Dialing...';
}

function talkSeconds(call) {
  if (!call.answered_at) return 0;
  const start = Date.parse(call.answered_at);
  const end = call.ended_at ? Date.parse(call.ended_at) : Date.now();
  return call.talk_seconds ?? Math.max(0, (end - start) / 1000);
}

function tick() {
  if (state.call && !state.logging) $('call-timer').textContent = clock(talkSeconds(state.call));
}

function renderCall(call) {
  if (!state.call || call.id !== state.call.id) return;
  // A poll answered after a newer stream frame must not take the view back.
  if ((call.version ?? 0) < (state.call.version ?? 0)) return;
  state.call = call;
  setTitle(FINAL.has(call.status) ? 'Call ended' : call.status === 'in-progress' ? 'Call in progress' : 'Calling');
  $('call-state').textContent = describe(call);
  $('call-timer').textContent = clock(talkSeconds(call));
  const agent = (call.legs && call.legs.agent) || {};
  const contact = (call.legs && call.legs.contact) || {};
  const live = call.status === 'in-progress';
  $('mute-button').disabled = !live;
  $('hold-button').disabled = !live;
  // A toggle keeps its name and says pressed (a screen reader hears "Mute,
  // pressed", never "Unmute, pressed").
  $('mute-button').setAttribute('aria-pressed', String(Boolean(agent.muted)));
  $('hold-button').setAttribute('aria-pressed', String(Boolean(contact.held)));
  if (FINAL.has(call.status)) showLogForm(call);
}

function showLogForm(call) {
  if (state.logging) return;
  state.logging = true;
  stopPolling();
  if (state.leg) state.leg.disconnect();
  $('call-controls').hidden = true;
  $('join-audio').hidden = true;
  $('call-audio').hidden = true;
  $('log-form').hidden = false;
  $('outcome').value = suggestedOutcome(call.result, state.dispositions);
  $('outcome').focus();
  findNext();
}

// --- Working the list fast: save and dial next, skip ------------------------------

/// Finds the contact "Save and dial next" would dial and shows it.
async function findNext() {
  state.next = null;
  $('next-up').hidden = true;
  $('log-save-next').hidden = true;
  const current = state.contact && state.contact.id;
  let next = null;
  try {
    next = await nextContact(state.listId, current);
  } catch {
    return;  // Save still works; the rep dials from the list
  }
  if (!state.logging) return;
  state.next = next;
  if (!next) {
    $('next-up').hidden = false;
    $('next-name').textContent = 'nobody';
    $('next-detail').textContent = 'every contact of this list has been called or skipped';
    $('skip-next').hidden = true;
    return;
  }
  $('next-name').textContent = next.name;
  $('next-detail').textContent = [next.company, next.phone].filter(Boolean).join(' • ');
  $('skip-next').hidden = false;
  $('skip-next').setAttribute('aria-label', `Skip ${next.name}`);
  $('next-up').hidden = false;
  $('log-save-next').hidden = false;
}

async function skipNext() {
  if (!state.next) return;
  skip(state.next.id);
  await findNext();
  (state.next ? $('skip-next') : $('log-save')).focus();
}

async function refreshCall() {
  if (!state.call) return;
  try {
    renderCall(await api('GET', `/api/v1/calls/${state.call.id}`));
  } catch (error) {
    $('call-error').textContent = messageOf(error);
  }
}

function startPolling() {
  stopPolling();
  // Live events drive the view; polling covers a stream that is down.
  state.pollTimer = setInterval(() => {
    if (!state.live || !state.live.connected) refreshCall();
  }, 1000);
}

function stopPolling() {
  if (state.pollTimer) clearInterval(state.pollTimer);
  state.pollTimer = null;
}

async function toggle(kind) {
  if (!state.call) return;
  const button = kind === 'mute' ? $('mute-button') : $('hold-button');
  const legs = state.call.legs || {};
  const body = kind === 'mute' ? { muted: !(legs.agent && legs.agent.muted) } : { held: !(legs.contact && legs.contact.held) };
  button.disabled = true;
  $('call-error').textContent = '';
  try {
    // The button changes only once the provider has done it.
    renderCall(await api('POST', `/api/v1/calls/${state.call.id}/${kind}`, body));
  } catch (error) {
    $('call-error').textContent = `${kind === 'mute' ? 'Mute' : 'Hold'} failed: ${messageOf(error)}`;
  } finally {
    button.disabled = !(state.call && state.call.status === 'in-progress');
  }
}

async function endCall() {
  if (!state.call) return;
  $('end-button').disabled = true;
  try {
    const ended = await api('POST', `/api/v1/calls/${state.call.id}/end`, {});
    renderCall(ended);
  } catch (error) {
    $('call-error').textContent = `Ending reported a problem (${messageOf(error)}); the call is closed here.`;
  }
  showLogForm(state.call);
}

/// Cancel on the log form: the call stays visibly unlogged (a badge on the
/// row, a reminder above the list) rather than silently looking done.
function cancelLog() {
  if (state.call && state.logging && !state.call.outcome) {
    state.unlogged = { call: state.call, contact: state.contact };
    showUnlogged();
  }
  closeCall();
}

function showUnlogged() {
  const pending = state.unlogged;
  $('unlogged').hidden = !pending;
  if (!pending) return;
  const who = pending.contact ? pending.contact.name : pending.call.to;
  $('unlogged-text').textContent = `Your call to ${who} at ${when(pending.call.created_at)} has no outcome yet. `;
}

async function logUnlogged() {
  const pending = state.unlogged;
  if (!pending || state.call || state.contact) return;
  let call = pending.call;
  try {
    call = await api('GET', `/api/v1/calls/${call.id}`);
  } catch (error) {
    banner(messageOf(error));
    return;
  }
  state.unlogged = null;
  showUnlogged();
  state.contact = pending.contact || { id: call.contact_id, name: call.to, phone: call.to };
  state.call = call;
  state.leg = null;
  setDialButtonsEnabled(false);
  openDialog(state.contact);
  renderCall(call);
  if (call.outcome) {
    $('outcome').value = call.outcome;
    $('notes').value = call.notes || '';
  }
}

function closeCall() {
  const contactId = state.contact && state.contact.id != null ? String(state.contact.id) : null;
  if (state.tickTimer) clearInterval(state.tickTimer);
  stopPolling();
  if (state.leg) state.leg.disconnect();
  state.call = null;
  state.contact = null;
  state.leg = null;
  state.logging = false;
  $('call-dialog').close();
  // Focus goes back where the rep was: the row's Dial button.
  loadContacts().then(() => {
    if ($('call-dialog').open) return;  // the next call is already up
    const button = contactId && document.querySelector(`#contact-rows [data-contact-id="${CSS.escape(contactId)}"]`);
    if (button) button.focus();
  });
  if (!$('panel-history').hidden) loadHistory();
}

async function saveLog(event, thenDialNext = false) {
  event.preventDefault();
  const outcome = $('outcome').value;
  if (!outcome) {
    $('log-error').textContent = 'Choose an outcome.';
    $('outcome').focus();
    return;
  }
  const next = thenDialNext ? state.next : null;
  $('log-save').disabled = true;
  $('log-save-next').disabled = true;
  try {
    const logged = await api('PATCH', `/api/v1/calls/${state.call.id}`, { outcome, notes: $('notes').value });
    if (state.unlogged && state.unlogged.call.id === logged.id) {
      state.unlogged = null;
      showUnlogged();
    }
    closeCall();
    loadStats(state.me);
    if (next) await dial(next);
  } catch (error) {
    $('log-error').textContent = `Not saved: ${messageOf(error)}`;
  } finally {
    $('log-save').disabled = false;
    $('log-save-next').disabled = false;
  }
}

// --- Live events -----------------------------------------------------------------------

const seenCalls = new Map();  // call id -> what the tables show of it
let tablesTimer = null;
let tablesPoll = null;

/// Whether a frame changes what the contacts table or history shows (a call
/// placed, ended or logged), for any call: another tab's, another rep's.
function changesTables(call) {
  const shown = `${call.status}|${call.outcome}|${call.notes}`;
  if (seenCalls.get(call.id) === shown) return false;
  if (seenCalls.size > 2000) seenCalls.clear();
  seenCalls.set(call.id, shown);
  return true;
}

/// Reloads the visible tables once for a burst of changes, at most once a
/// second whatever the stream's rate.
function refreshTablesSoon() {
  if (tablesTimer) return;
  tablesTimer = setTimeout(() => {
    tablesTimer = null;
    refreshTables();
  }, 1000);
}

function refreshTables() {
  if (!$('contacts').hidden && !$('panel-contacts').hidden) loadContacts();
  // My day moves only with this rep's own calls: another rep's busy day
  // costs this page nothing.
  if (state.statsStale && !$('panel-contacts').hidden) {
    state.statsStale = false;
    loadStats(state.me);
  }
  if (!$('panel-history').hidden) loadHistory();
  boardChanged();
}

/// While the stream is down nothing says which calls changed: everything is
/// reloaded, My day included.
function pollTables() {
  state.statsStale = true;
  refreshTables();
}

function startLive() {
  state.live = new LiveEvents(savedKey(), (frame) => {
    if (!frame.call) return;
    boardChanged();
    renderCall(frame.call);
    if (state.unlogged && frame.call.id === state.unlogged.call.id && frame.call.outcome) {
      state.unlogged = null;
      showUnlogged();
    }
    if (changesTables(frame.call)) {
      if (state.me && frame.call.agent_id === state.me.name) state.statsStale = true;
      refreshTablesSoon();
    }
  }, (connected) => {
    // While the stream is down the tables are polled; when it is back, one
    // catch-up for what the gap missed.
    if (connected) {
      if (tablesPoll) clearInterval(tablesPoll);
      tablesPoll = null;
      if (state.call) refreshCall();
      refreshTables();
    } else if (!tablesPoll) {
      tablesPoll = setInterval(pollTables, 5000);
    }
  });
  tablesPoll = setInterval(pollTables, 5000);  // until the stream is up (it may never be)
  state.live.start();
}

// --- History -----------------------------------------------------------------------------

function historyQuery() {
  const query = new URLSearchParams();
  if ($('history-q').value.trim()) query.set('q', $('history-q').value.trim());
  if ($('history-contact').value.trim()) query.set('contact', $('history-contact').value.trim());
  if ($('history-agent').value.trim()) query.set('agent_id', $('history-agent').value.trim());
  if ($('history-outcome').value) query.set('outcome', $('history-outcome').value);
  if ($('history-from').value) query.set('from', $('history-from').value);
  if ($('history-to').value) {
    const to = new Date($('history-to').value + 'T00:00:00Z');
    to.setUTCDate(to.getUTCDate() + 1);  // the whole last day
    query.set('to', to.toISOString().slice(0, 10));
  }
  return query;
}

async function loadHistory() {
  const query = historyQuery();
  query.set('page', state.historyPage);
  query.set('per_page', 25);
  let page;
  try {
    page = await api('GET', '/api/v1/calls?' + query.toString());
  } catch (error) {
    banner(messageOf(error));
    return;
  }
  state.historyPages = Math.max(1, Math.ceil(page.total / 25));
  $('history-info').textContent = `Page ${state.historyPage} of ${state.historyPages} · ${page.total} call${page.total === 1 ? '' : 's'}`;
  $('history-prev').disabled = state.historyPage <= 1;
  $('history-next').disabled = state.historyPage >= state.historyPages;
  const rows = $('history-rows');
  const focused = focusedKey(rows, 'data-call-id');
  rows.replaceChildren();
  if (page.data.length === 0) rows.append(el('tr', {}, el('td', { colspan: '8', class: 'muted' }, 'No calls match.')));
  for (const call of page.data) {
    const unlogged = FINAL.has(call.status) && !call.outcome;
    rows.append(el('tr', {},
      el('td', { 'data-label': 'When' }, when(call.created_at)),
      el('td', { class: 'primary' }, call.contact_name ? el('strong', {}, call.contact_name) : call.to,
        call.contact_name ? el('div', { class: 'muted' }, [call.contact_company, call.to].filter(Boolean).join(' • ')) : null),
      el('td', { 'data-label': 'Agent' }, call.agent_id),
      el('td', { 'data-label': 'Result' }, resultLabel(call.result || call.status)),
      el('td', { 'data-label': 'Talk' }, call.talk_seconds != null ? clock(call.talk_seconds) : '—'),
      el('td', { 'data-label': 'Outcome' }, unlogged ? el('span', { class: 'badge unlogged' }, 'Not logged') : outcomeLabel(call.outcome) || '—'),
      el('td', { class: 'notes', 'data-label': 'Notes' }, call.notes || ''),
      el('td', { class: 'action' }, el('button', { type: 'button', class: 'secondary', 'aria-label': `Timeline of the call to ${call.contact_name || call.to} at ${when(call.created_at)}`, 'data-call-id': call.id, onclick: () => showTimeline(call.id) }, 'Timeline'))));
  }
  restoreFocus(rows, 'data-call-id', focused);
}

async function showTimeline(id) {
  let call;
  try {
    call = await api('GET', `/api/v1/calls/${id}`);
  } catch (error) {
    banner(messageOf(error));
    return;
  }
  $('timeline-events').replaceChildren(...timelineItems(call));
  // Which call this is, in the words of the history row it came from.
  const who = call.contact_name ? `${call.contact_name}${call.contact_company ? ', ' + call.contact_company : ''} (${call.to})` : call.to;
  $('timeline-title').textContent = `Timeline of the call to ${who}`;
  $('timeline-call').textContent = [when(call.created_at), `by ${call.agent_id}`, resultLabel(call.result || call.status),
    call.talk_seconds != null ? `talked ${clock(call.talk_seconds)}` : null,
    call.outcome ? `logged as “${outcomeLabel(call.outcome)}”` : 'not logged', `call id ${call.id}`].filter(Boolean).join(' · ');
  $('timeline').hidden = false;
  $('timeline').scrollIntoView({ block: 'nearest' });
}

// --- Tabs ------------------------------------------------------------------------------------

/// The tabs this role has: everyone works calls; supervisors and admins
/// see the team; admins manage people.
function roleTabs() {
  return ['contacts', 'history', 'team', 'people'].filter((tab) => !$(`tab-${tab}`).hidden);
}

function showRoleTabs(role) {
  $('tab-team').hidden = role !== 'supervisor' && role !== 'admin';
  $('tab-people').hidden = role !== 'admin';
  // An agent's history is its own: no one else to filter by.
  $('history-agent').closest('.field').hidden = role === 'agent';
}

function selectTab(name) {
  for (const tab of ['contacts', 'history', 'team', 'people']) {
    const selected = tab === name;
    $(`tab-${tab}`).setAttribute('aria-selected', String(selected));
    $(`tab-${tab}`).tabIndex = selected ? 0 : -1;
    $(`panel-${tab}`).hidden = !selected;
  }
  if (name === 'history') {
    loadHistory();
  } else if (name === 'team') {
    showTeam();
  } else if (name === 'people') {
    showPeople(state.me);
  } else {
    loadContacts();
    if (state.statsStale) {
      state.statsStale = false;
      loadStats(state.me);
    }
  }
}

// --- Wiring ------------------------------------------------------------------------------------

function debounce(fn, ms) {
  let timer = null;
  return (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
}

function wire() {
  $('sign-in-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    await signInWithPassword($('email').value.trim(), $('password').value);
  });
  $('key-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    await signIn($('api-key').value.trim());
  });
  $('sign-out').addEventListener('click', signOut);
  $('upload-form').addEventListener('submit', upload);
  $('csv-file').addEventListener('change', fileChosen);
  $('upload-cancel').addEventListener('click', () => {
    $('upload').hidden = true;
    hideMapping();
    $('contacts').hidden = false;
    if (state.reportListId === null) hideReport();  // a refused file's report goes with the form
  });
  $('new-list').addEventListener('click', () => showUpload(true));
  $('add-to-list').addEventListener('click', () => {
    const select = $('list-select');
    const option = select.options[select.selectedIndex];
    if (option) showUpload(true, { id: Number(select.value), name: option.dataset.name || option.textContent });
  });
  $('list-report').addEventListener('click', showListReport);
  $('report-close').addEventListener('click', () => { hideReport(); $('list-select').focus(); });
  $('list-select').addEventListener('change', () => {
    state.listId = Number($('list-select').value);
    rememberList(state.me, state.listId);
    forgetSkips();
    // A report belongs to its list: never left above another one.
    if (state.reportListId !== state.listId) hideReport();
    $('list-status').textContent = '';
    state.page = 1;
    loadContacts();
  });
  $('contact-filters').addEventListener('submit', (event) => event.preventDefault());
  $('contact-search').addEventListener('input', debounce(() => { state.page = 1; loadContacts(); }, 250));
  $('contact-status').addEventListener('change', () => { state.page = 1; loadContacts(); });
  $('page-size').addEventListener('change', () => { state.page = 1; loadContacts(); });
  $('page-prev').addEventListener('click', () => { state.page = Math.max(1, state.page - 1); loadContacts(); });
  $('page-next').addEventListener('click', () => { state.page = Math.min(state.pages, state.page + 1); loadContacts(); });
  $('mute-button').addEventListener('click', () => toggle('mute'));
  $('hold-button').addEventListener('click', () => toggle('hold'));
  $('end-button').addEventListener('click', endCall);
  $('join-audio').addEventListener('click', joinAudioHere);
  $('log-form').addEventListener('submit', saveLog);
  $('log-save-next').addEventListener('click', (event) => saveLog(event, true));
  $('skip-next').addEventListener('click', skipNext);
  $('log-cancel').addEventListener('click', cancelLog);
  $('unlogged-log').addEventListener('click', logUnlogged);
  $('timeline-raw').addEventListener('change', () => {
    $('timeline-events').classList.toggle('show-raw', $('timeline-raw').checked);
  });
  wireStats(() => state.me);
  wireBoard();
  wirePeople();
  $('call-close').addEventListener('click', closeCall);
  // Escape must not hide a live call: the dialog closes through End, Save or Cancel.
  $('call-dialog').addEventListener('cancel', (event) => {
    if (state.call || state.contact) event.preventDefault();
  });
  $('history-filters').addEventListener('submit', (event) => { event.preventDefault(); state.historyPage = 1; loadHistory(); });
  // History filters apply as they change, like the contact search.
  const historyFromFirstPage = () => { state.historyPage = 1; loadHistory(); };
  $('history-q').addEventListener('input', debounce(historyFromFirstPage, 250));
  $('history-contact').addEventListener('input', debounce(historyFromFirstPage, 250));
  $('history-agent').addEventListener('input', debounce(historyFromFirstPage, 250));
  for (const id of ['history-outcome', 'history-from', 'history-to']) $(id).addEventListener('change', historyFromFirstPage);
  $('history-prev').addEventListener('click', () => { state.historyPage = Math.max(1, state.historyPage - 1); loadHistory(); });
  $('history-next').addEventListener('click', () => { state.historyPage = Math.min(state.historyPages, state.historyPage + 1); loadHistory(); });
  $('export-csv').addEventListener('click', async () => {
    try {
      await download('/api/v1/calls/export?' + historyQuery().toString(),
        `calls-${new Date().toISOString().slice(0, 10)}.csv`);
    } catch (error) {
      banner(`Export failed: ${messageOf(error)}`);
    }
  });
  for (const tab of ['contacts', 'history', 'team', 'people']) {
    $(`tab-${tab}`).addEventListener('click', () => selectTab(tab));
    $(`tab-${tab}`).addEventListener('keydown', (event) => {
      if (event.key !== 'ArrowRight' && event.key !== 'ArrowLeft') return;
      const tabs = roleTabs();
      const step = event.key === 'ArrowRight' ? 1 : tabs.length - 1;
      const next = tabs[(tabs.indexOf(tab) + step) % tabs.length];
      selectTab(next);
      $(`tab-${next}`).focus();
    });
  }
  window.addEventListener('beforeunload', (event) => {
    if (state.call && !FINAL.has(state.call.status)) event.preventDefault();
  });
}

wire();
if (savedKey()) {
  signIn(savedKey()).then((ok) => { if (!ok) $('email').focus(); });
} else {
  // A session cookie from an earlier visit signs the person straight in.
  signIn('', true).then((ok) => { if (!ok) $('email').focus(); });
}
