// The People tab (admins): who may sign in and as what. Add a person (the
// host generates a password, shown here once to hand over), change a role,
// disable or enable, give a new password; and the audit log of sign-ins and
// changes. The host enforces every rule (the last admin stays an admin);
// this page says what it answered.
import { api } from './api.js';
import { $, el } from './dom.js';
import { when } from './labels.js';

const ROLES = ['agent', 'supervisor', 'admin'];
const ACTIONS = {
  'session.sign_in': 'Signed in',
  'session.sign_in_failed': 'Failed sign-in',
  'session.sign_in_throttled': 'Sign-in refused (too many failures)',
  'session.sign_out': 'Signed out',
  'user.created': 'Added a person',
  'user.disabled': 'Disabled a person',
  'user.enabled': 'Enabled a person',
  'user.role_changed': 'Changed a role',
  'user.password_reset': 'Gave a new password',
  'key.created': 'Created an API key',
  'key.revoked': 'Revoked an API key',
  'dnc.added': 'Added to do-not-call',
  'dnc.removed': 'Removed from do-not-call',
};
const AUDIT_PAGE = 25;
let auditPage = 1;
let auditPages = 1;
let myEmail = null;  // the signed-in admin, marked "(you)"; null with an API key

function roleLabel(role) {
  return role.charAt(0).toUpperCase() + role.slice(1);
}

function showPassword(text, password) {
  $('password-once-text').textContent = text;
  $('password-once-value').textContent = password;
  $('password-once').hidden = false;
  $('password-once-copy').focus();
}

function hidePassword() {
  $('password-once-value').textContent = '';
  $('password-once').hidden = true;
}

async function act(work) {
  $('people-error').textContent = '';
  try {
    await work();
  } catch (error) {
    $('people-error').textContent = error.message;
  }
  await Promise.all([loadPeople(), loadAudit()]);
}

function personRow(user) {
  const role = el('select', { 'aria-label': `Role of ${user.name}` },
    ...ROLES.map((r) => el('option', { value: r, selected: r === user.role }, roleLabel(r))));
  role.addEventListener('change', () => act(() => api('PATCH', `/api/v1/users/${encodeURIComponent(user.id)}`,
    { role: role.value })));
  const toggle = el('button', { type: 'button', class: 'secondary' }, user.disabled ? 'Enable' : 'Disable');
  toggle.addEventListener('click', () => act(async () => {
    if (!user.disabled && !window.confirm(`Disable ${user.name}? They are signed out at once and cannot sign in.`)) return;
    await api('PATCH', `/api/v1/users/${encodeURIComponent(user.id)}`, { disabled: !user.disabled });
  }));
  const reset = el('button', { type: 'button', class: 'secondary' }, 'New password');
  reset.addEventListener('click', () => act(async () => {
    if (!window.confirm(`Give ${user.name} a new password? Their current one stops working and they are signed out.`)) return;
    const answer = await api('POST', `/api/v1/users/${encodeURIComponent(user.id)}/password`, {});
    showPassword(`New password for ${user.email}. Hand it over now: it is not shown again.`, answer.password);
  }));
  return el('tr', {},
    el('td', {}, el('strong', {}, user.name), user.email === myEmail ? ' (you)' : '', el('div', { class: 'muted' }, user.email)),
    el('td', { 'data-label': 'Role' }, role),
    el('td', { 'data-label': 'State' }, el('span', { class: `badge ${user.disabled ? 'status-do_not_call' : 'status-called'}` },
      user.disabled ? 'Disabled' : 'Active')),
    el('td', { 'data-label': 'Last sign-in' }, user.last_sign_in_at ? when(user.last_sign_in_at) : 'Never'),
    el('td', { class: 'action' }, el('div', { class: 'row' }, toggle, reset)));
}

async function loadPeople() {
  try {
    const people = await api('GET', '/api/v1/users');
    $('people-rows').replaceChildren(...people.data.map(personRow));
    if (people.data.length === 0) {
      $('people-rows').append(el('tr', {}, el('td', { colspan: '5' }, 'Nobody signs in with a password yet: add someone above.')));
    }
  } catch (error) {
    $('people-error').textContent = `People are not available: ${error.message}`;
  }
}

async function loadAudit() {
  const query = new URLSearchParams({ page: String(auditPage), per_page: String(AUDIT_PAGE) });
  if ($('audit-action').value) query.set('action', $('audit-action').value);
  if ($('audit-actor').value.trim()) query.set('actor', $('audit-actor').value.trim());
  try {
    const page = await api('GET', '/api/v1/audit?' + query.toString());
    auditPages = Math.max(1, Math.ceil(page.total / AUDIT_PAGE));
    $('audit-rows').replaceChildren(...page.data.map((entry) => el('tr', {},
      el('td', {}, when(entry.at)),
      el('td', { 'data-label': 'Who' }, entry.actor_name || entry.actor),
      el('td', { 'data-label': 'What' }, ACTIONS[entry.action] || entry.action,
        entry.details && entry.details.to ? ` (${entry.details.from} → ${entry.details.to})` : ''),
      el('td', { 'data-label': 'Whom or what' }, entry.target || ''),
      el('td', { 'data-label': 'From' }, entry.client || ''))));
    if (page.data.length === 0) $('audit-rows').append(el('tr', {}, el('td', { colspan: '5' }, 'Nothing recorded yet.')));
    $('audit-info').textContent = `Page ${auditPage} of ${auditPages} (${page.total} entries)`;
    $('audit-prev').disabled = auditPage <= 1;
    $('audit-next').disabled = auditPage >= auditPages;
  } catch (error) {
    $('audit-info').textContent = `The audit log is not available: ${error.message}`;
  }
}

export async function showPeople(me) {
  myEmail = me && me.kind === 'user' ? me.email : null;
  await Promise.all([loadPeople(), loadAudit()]);
}

export function wirePeople() {
  $('person-form').addEventListener('submit', (event) => {
    event.preventDefault();
    act(async () => {
      const answer = await api('POST', '/api/v1/users', {
        email: $('person-email').value.trim(), name: $('person-name').value.trim(), role: $('person-role').value,
      });
      showPassword(`${answer.user.name} can sign in as ${answer.user.email} with this password. Hand it over now: `
        + 'it is not shown again.', answer.password);
      $('person-form').reset();
    });
  });
  $('password-once-copy').addEventListener('click', async () => {
    try {
      await navigator.clipboard.writeText($('password-once-value').textContent);
      $('password-once-copy').textContent = 'Copied';
    } catch {
      $('password-once-copy').textContent = 'Select it and copy';
    }
  });
  $('password-once-done').addEventListener('click', () => { hidePassword(); $('password-once-copy').textContent = 'Copy'; });
  $('audit-filters').addEventListener('submit', (event) => event.preventDefault());
  $('audit-action').addEventListener('change', () => { auditPage = 1; loadAudit(); });
  let typing = null;
  $('audit-actor').addEventListener('input', () => {
    clearTimeout(typing);
    typing = setTimeout(() => { auditPage = 1; loadAudit(); }, 250);
  });
  $('audit-prev').addEventListener('click', () => { auditPage = Math.max(1, auditPage - 1); loadAudit(); });
  $('audit-next').addEventListener('click', () => { auditPage = Math.min(auditPages, auditPage + 1); loadAudit(); });
}
