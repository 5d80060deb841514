// Working a list fast: which list this rep is working (remembered per rep
// in this browser; elsewhere, the list of the rep's latest call), which contacts the rep skipped in this sitting, and the
// next eligible contact: of the list being worked, not called, not on the
// do-not-call list, not in a call (the host's `not_called` status says all
// three), in the list's order, skipping the skipped.
import { api } from './api.js';

const LIST_KEY = 'switchboard.workingList.';
const skipped = new Set();

function who(me) {
  return me ? String(me.key_id ?? me.name) : '';
}

export function rememberList(me, listId) {
  try {
    if (me && listId) localStorage.setItem(LIST_KEY + who(me), String(listId));
  } catch {
    // storage may be off (private mode): the page falls back to the newest list
  }
}

export function rememberedList(me) {
  try {
    const value = me ? localStorage.getItem(LIST_KEY + who(me)) : null;
    return value ? Number(value) : null;
  } catch {
    return null;
  }
}

/// The list of the rep's latest call: what the rep was working on another
/// machine or browser, where nothing is remembered yet.
export async function lastWorkedList(me) {
  if (!me) return null;
  const query = new URLSearchParams({ agent_id: me.name, per_page: 1 });
  const calls = await api('GET', '/api/v1/calls?' + query.toString());
  const last = (calls.data || [])[0];
  if (!last || !last.contact_id) return null;
  const contact = await api('GET', `/api/v1/contacts/${last.contact_id}`);
  return contact.list_id ?? null;
}

export function skip(contactId) {
  skipped.add(contactId);
}

/// A new list (or a fresh start) offers everybody again.
export function forgetSkips() {
  skipped.clear();
}

const PAGE = 200;
const MAX_PAGES = 50;

/// The next contact to dial after `currentId`, or null when none is left.
export async function nextContact(listId, currentId) {
  if (!listId) return null;
  for (let page = 1; page <= MAX_PAGES; ++page) {
    const query = new URLSearchParams({ list_id: listId, status: 'not_called', page, per_page: PAGE });
    const answer = await api('GET', '/api/v1/contacts?' + query.toString());
    const found = (answer.data || []).find((contact) => contact.id !== currentId && !skipped.has(contact.id));
    if (found) return found;
    if (page * PAGE >= answer.total) return null;
  }
  return null;
}
