// End-to-end: the dialer page in Debian's Chromium (fake microphone),
// against the real host with the sim provider, driven by playwright-core.
// Asserts on what a person sees; saves a screenshot at every step; checks
// every main view and dialog with axe-core (no serious or critical
// violation) and, at every step, that nothing needs sideways scrolling.
// Run once per screen size (CTest runs both):
//
//   node tests/e2e/dialer.e2e.mjs --binary build/ci/bin/switchboard --out build/ci/e2e-screenshots/desktop
//   node tests/e2e/dialer.e2e.mjs --viewport 390x844 --binary ... --out build/ci/e2e-screenshots/phone
//
// Environment: CHROMIUM (default /usr/bin/chromium).
import { spawn, execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { workbook } from './xlsx.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '../..');
const require = createRequire(path.join(repo, 'web', 'package.json'));
const { chromium } = require('playwright-core');
const axeSource = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

function argument(name, fallback) {
  const at = process.argv.indexOf(name);
  return at >= 0 ? process.argv[at + 1] : fallback;
}

const binary = path.resolve(argument('--binary', path.join(repo, 'build/dev/bin/switchboard')));
const outDir = path.resolve(argument('--out', path.join(repo, 'build/e2e-screenshots')));
const executablePath = process.env.CHROMIUM || '/usr/bin/chromium';
const [viewWidth, viewHeight] = argument('--viewport', '1280x800').split('x').map(Number);
const phone = viewWidth < 640;
console.log(`viewport ${viewWidth}x${viewHeight}${phone ? ' (phone)' : ''}`);
fs.rmSync(outDir, { recursive: true, force: true });
fs.mkdirSync(outDir, { recursive: true });

// --- The host -----------------------------------------------------------------

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-e2e-'));
const config = path.join(work, 'e2e.ini');
fs.writeFileSync(config, `provider = sim
[http]
host = 127.0.0.1
port = 0
log_requests = false
[database]
path = ${path.join(work, 'e2e.db')}
[log]
level = warn
[provider.sim]
ring_after_ms = 400
answer_after_ms = 1500
reject_after_ms = 900
no_answer_after_ms = 2000
agent_join_after_ms = 300
results.6789 = hangup:2.5
results.2222 = busy
results.4444 = no-answer
`);

const key = execFileSync(binary, ['keys', 'create', '--config', config, '--name', 'rep-e2e', '--role', 'agent', '--quiet'])
  .toString().trim();
const adminKey = execFileSync(binary, ['keys', 'create', '--config', config, '--name', 'admin-e2e', '--role', 'admin', '--quiet'])
  .toString().trim();
// A person who signs in with email and password (docs/TEAM.md).
const personPassword = 'tall giraffe at noon';
const passwordFile = path.join(work, 'password');
fs.writeFileSync(passwordFile, personPassword + '\n');
for (const [email, name, role] of [['Rita@Example.com', 'Rita Rep', 'agent'], ['sue@example.com', 'Sue Lead', 'supervisor'],
  ['ada@example.com', 'Ada Admin', 'admin']]) {
  execFileSync(binary, ['users', 'create', '--config', config, '--email', email, '--name', name, '--role', role,
    '--password-file', passwordFile]);
}

function startHost() {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, ['serve', '--config', config], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const timer = setTimeout(() => reject(new Error('the host did not start: ' + output)), 20000);
    const onData = (chunk) => {
      output += chunk.toString();
      const match = output.match(/listening on (http:\/\/127\.0\.0\.1:\d+)/);
      if (match) {
        clearTimeout(timer);
        resolve({ child, url: match[1] });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', (chunk) => { output += chunk.toString(); });
    child.on('exit', (code) => reject(new Error(`the host exited (${code}): ${output}`)));
  });
}

// --- A tiny harness -------------------------------------------------------------

const failures = [];
const shots = [];
let shotNumber = 0;

/// Nothing on the page needs sideways scrolling, and every visible button
/// of an open dialog is inside the screen (a phone cannot pan to End Call).
async function fits(page, where) {
  // Measured against the screen's width, not window.innerWidth: a mobile
  // browser zooms out to show a too-wide page, which widens innerWidth.
  const problem = await page.evaluate((width) => {
    const root = document.documentElement;
    if (root.scrollWidth > width + 1) {
      const wide = [...document.querySelectorAll('body *')].filter((node) => node.checkVisibility()
        && node.getBoundingClientRect().right > width + 1).slice(-3).map((node) => node.id || node.tagName);
      return `the page is ${root.scrollWidth - width} px too wide (${wide.join(', ')})`;
    }
    const dialog = document.querySelector('dialog[open]');
    if (!dialog) return '';
    for (const button of dialog.querySelectorAll('button')) {
      if (!button.checkVisibility()) continue;
      const box = button.getBoundingClientRect();
      if (box.left < 0 || box.right > width + 1) return `"${button.textContent}" is off-screen sideways`;
    }
    return '';
  }, viewWidth);
  check(!problem, `${where}: ${problem}`);
}

async function shot(page, name) {
  await fits(page, name);
  const file = path.join(outDir, `${String(++shotNumber).padStart(2, '0')}-${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  shots.push(path.basename(file));
}

/// axe-core on what the page shows now: no serious or critical violation.
const axeChecked = [];
async function accessible(page, view) {
  await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => {
    const result = await window.axe.run(document, { resultTypes: ['violations'] });
    return result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}`);
  });
  check(violations.length === 0, `axe-core on ${view}: ${violations.join('; ')}`);
  axeChecked.push(view);
}

let mainPage = null;

/// After a failed scenario, closes whatever call dialog it left open so
/// that the next scenario starts from the contact list.
async function recover(page) {
  // A call a failed scenario left live would make the rep busy in the next.
  try {
    const headers = { 'X-API-Key': key, 'Content-Type': 'application/json' };
    const live = await (await fetch(`${host.url}/api/v1/calls/active`, { headers })).json();
    for (const call of live.data || []) {
      await fetch(`${host.url}/api/v1/calls/${call.id}/end`, { method: 'POST', headers, body: '{}' });
    }
  } catch {
    // the host may be the thing that failed
  }
  if (!page) return;
  if (await page.locator('#call-dialog').isVisible().catch(() => false)) {
    for (const name of ['End Call', 'Cancel', 'Close']) {
      const button = page.getByRole('dialog').getByRole('button', { name, exact: true });
      if (await button.isVisible().catch(() => false)) await button.click().catch(() => {});
      await page.waitForTimeout(300);
    }
  }
  // The next scenario starts from the contacts.
  await page.getByRole('tab', { name: 'Contacts' }).click({ timeout: 2000 }).catch(() => {});
}

async function scenario(name, body) {
  const started = Date.now();
  try {
    await body();
    console.log(`ok   ${name} (${Date.now() - started} ms)`);
  } catch (error) {
    failures.push(name);
    console.log(`FAIL ${name}: ${error.stack || error}`);
    if (mainPage) await shot(mainPage, 'failure').catch(() => {});
    await recover(mainPage);
  }
}

function check(condition, message) {
  if (!condition) throw new Error(message);
}

/// Waits until the element's visible text contains `text`.
async function seeText(page, selector, text, timeout = 10000) {
  try {
    await page.waitForFunction(([s, t]) => {
      const node = document.querySelector(s);
      return node && node.checkVisibility() && node.innerText.includes(t);
    }, [selector, text], { timeout });
  } catch {
    const actual = await page.locator(selector).first().innerText().catch(() => '(absent)');
    throw new Error(`expected "${text}" in ${selector}, saw "${actual}"`);
  }
}

async function signIn(page, url, apiKey = key) {
  await page.goto(url);
  await page.getByText('Use an API key').click();
  await page.getByLabel('API key').fill(apiKey);
  await page.getByRole('button', { name: 'Sign in with the key' }).click();
}

async function signInAsPerson(page, url, email, password) {
  await page.goto(url);
  await page.locator('#email').fill(email);
  await page.locator('#password').fill(password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
}

async function rowOf(page, name) {
  return page.locator('#contact-rows tr', { hasText: name });
}

async function dial(page, name) {
  const row = await rowOf(page, name);
  await row.getByRole('button', { name: /Dial|Redial/ }).click();
  await page.getByRole('dialog').waitFor({ state: 'visible', timeout: 5000 });
}

async function logOutcome(page, outcome, notes) {
  const dialog = page.getByRole('dialog');
  await dialog.getByLabel('Outcome').selectOption(outcome);
  await dialog.getByLabel('Notes').fill(notes);
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await page.getByRole('dialog').waitFor({ state: 'hidden', timeout: 5000 });
}

// --- The scenarios -----------------------------------------------------------------

const host = await startHost();
const browser = await chromium.launch({
  executablePath,
  args: ['--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream', '--no-sandbox'],
});
const newPage = async (options = {}) => {
  const screen = { viewport: { width: viewWidth, height: viewHeight }, ...(phone ? { isMobile: true, hasTouch: true } : {}) };
  const context = await browser.newContext({ ...screen, ...options });
  return context.newPage();
};

try {
  await scenario('a rejected key gets a clear message and the page stays usable', async () => {
    const page = await newPage();
    await signIn(page, host.url, 'sbk_not-a-real-key');
    await seeText(page, '#sign-in-error', 'That API key was refused');
    await shot(page, 'bad-key');
    await accessible(page, 'sign-in');
    check(await page.getByLabel('API key').isEditable(), 'the key field is still usable');
    await page.context().close();
  });

  await scenario('a person signs in with email and password, stays signed in on reload, and signs out', async () => {
    const person = await newPage();
    await signInAsPerson(person, host.url, 'rita@example.com', 'not the password');
    await seeText(person, '#sign-in-error', 'The email or the password is wrong');
    check(await person.locator('#password').inputValue() === '', 'a refused password is cleared');
    await signInAsPerson(person, host.url, 'rita@example.com', personPassword);
    await seeText(person, '#provider-badge', 'Signed in as Rita Rep (agent)');
    const cookies = await person.context().cookies();
    const session = cookies.find((c) => c.name === 'sb_session');
    check(session && session.httpOnly && session.sameSite === 'Strict', 'an HttpOnly, SameSite=Strict session cookie');
    check(await person.evaluate(() => document.cookie.includes('sb_session')) === false, 'scripts cannot read it');
    check(await person.evaluate(() => sessionStorage.getItem('switchboard.apiKey')) === null, 'no key is kept');
    await shot(person, 'signed-in-person');
    // A reload keeps the session; the person is not asked again.
    await person.reload();
    await seeText(person, '#provider-badge', 'Signed in as Rita Rep');
    await person.getByRole('button', { name: 'Sign out' }).click();
    await person.locator('#email').waitFor({ state: 'visible', timeout: 5000 });
    // Signed out on the host, not only in the browser: the old cookie opens nothing.
    const status = (await fetch(host.url + '/api/v1/me', { headers: { Cookie: `sb_session=${session.value}` } })).status;
    check(status === 401, `after sign-out the old cookie gets ${status}`);
    await accessible(person, 'sign-in with email and password');
    await person.context().close();
  });

  const page = await newPage();
  mainPage = page;
  await scenario('the original loop: upload, dial, connected, mute, end, log, history', async () => {
    await signIn(page, host.url);
    await seeText(page, 'h1', 'Cold Call Dialer');
    await seeText(page, '#provider-badge', 'Using Simulated carrier');
    await shot(page, 'signed-in');
    await page.getByLabel('CSV or Excel file').setInputFiles(path.join(repo, 'tests/fixtures/csv/seed_fixture.csv'));
    await page.getByRole('button', { name: 'Upload' }).click();
    await seeText(page, '#list-status', 'Imported 5 contacts');
    await seeText(page, '#contact-rows', 'John Doe');
    check(await page.locator('#contact-rows tr').count() === 5, 'the table shows 5 rows');
    await shot(page, 'list-uploaded');
    await accessible(page, 'contacts with the import report and my day');

    await (await rowOf(page, 'John Doe')).getByRole('button', { name: 'Dial John Doe' }).click();
    await seeText(page, '#call-dialog', 'Dialing...', 3000);
    await shot(page, 'dialing');
    const dialed = Date.now();
    await seeText(page, '#call-state', 'Connected', 10000);
    check(Date.now() - dialed < 10000, 'connected within 10 s');
    await page.waitForTimeout(1200);
    check((await page.locator('#call-timer').innerText()) !== '00:00', 'the timer runs');
    await shot(page, 'connected');
    await accessible(page, 'the call dialog, connected');
    const endBox = await page.getByRole('button', { name: 'End Call' }).boundingBox();
    check(endBox && endBox.y + endBox.height <= viewHeight && endBox.x + endBox.width <= viewWidth,
      `End Call is on screen without panning (${JSON.stringify(endBox)})`);

    // Toggles keep their names and say pressed; the state line says it in words.
    const pressed = async (name) => page.getByRole('button', { name, exact: true }).getAttribute('aria-pressed');
    await page.getByRole('button', { name: 'Mute', exact: true }).click();
    await seeText(page, '#call-state', 'Connected · Muted');
    check(await pressed('Mute') === 'true', 'Mute reads pressed');
    await page.getByRole('button', { name: 'Hold', exact: true }).click();
    await seeText(page, '#call-state', 'Connected · On hold · Muted');
    check(await pressed('Hold') === 'true', 'Hold reads pressed');
    await shot(page, 'muted-and-held');
    await page.getByRole('button', { name: 'Mute', exact: true }).click();
    await page.getByRole('button', { name: 'Hold', exact: true }).click();
    await page.waitForFunction(() => document.getElementById('call-state').textContent === 'Connected');
    check(await pressed('Mute') === 'false' && await pressed('Hold') === 'false', 'both released');

    await page.getByRole('button', { name: 'End Call' }).click();
    await seeText(page, '#log-form', 'Log the call');
    await shot(page, 'log-form');
    await accessible(page, 'the log form');
    await logOutcome(page, 'connected_interested', 'Great conversation');
    // Focus is back on the row's button, not lost to the page.
    await page.waitForFunction(() => document.activeElement && document.activeElement.getAttribute('aria-label') === 'Redial John Doe');
    await seeText(page, '#contact-rows tr:first-child', 'Connected');
    await seeText(page, '#contact-rows tr:first-child', 'Great conversation');
    await shot(page, 'logged');

    await page.getByRole('tab', { name: 'History' }).click();
    await seeText(page, '#history-rows', 'Great conversation');
    // History names people: the contact and the company beside the number, and the agent.
    const johns = page.locator('#history-rows tr', { hasText: 'Great conversation' });
    for (const text of ['John Doe', 'Acme Inc', '+15551234567', 'rep-e2e']) {
      check((await johns.innerText()).includes(text), `the history row shows ${text}`);
    }
    await page.locator('#history-rows tr', { hasText: 'Great conversation' }).getByRole('button', { name: /Timeline/ }).click();
    // The timeline speaks the rep's language, says which call it is, pairs
    // each command with the carrier's confirmation; raw types on demand.
    await seeText(page, '#timeline-title', 'John Doe, Acme Inc (+15551234567)');
    await seeText(page, '#timeline-call', 'logged as “Connected – interested”');
    for (const words of ['Ringing', 'Answered', 'Your audio joined the call', 'You muted your microphone',
      'You put the contact on hold', 'You took the contact off hold', 'You ended the call']) {
      await seeText(page, '#timeline-events', words);
    }
    const held = page.locator('#timeline-events li', { hasText: 'You put the contact on hold' });
    check(await held.count() === 1, 'the hold command and its confirmation are one step');
    check((await held.innerText()).includes('confirmed by the carrier'), 'the hold says it was confirmed');
    check(!(await page.locator('#timeline-events').innerText()).includes('participant.held'), 'raw types are hidden');
    await shot(page, 'history-timeline');
    await accessible(page, 'history with a timeline');
    await page.getByLabel('Show event details for support').check();
    await seeText(page, '#timeline-events', 'participant.held · from sim · contact leg');
    await shot(page, 'history-timeline-raw');
    await page.getByRole('tab', { name: 'Contacts' }).click();
  });

  await scenario('the contact hangs up: the page moves to the log form on its own', async () => {
    await dial(page, 'Bob Johnson');
    await seeText(page, '#call-state', 'Connected', 10000);
    await seeText(page, '#log-form', 'Log the call', 10000);
    await seeText(page, '#call-state', 'Call ended');
    await shot(page, 'contact-hung-up');
    await logOutcome(page, 'callback_requested', 'Hung up, call back Friday');
    await seeText(page, '#contact-rows', 'Callback requested');
    await page.getByRole('tab', { name: 'History' }).click();
    await page.locator('#history-rows tr', { hasText: 'Hung up, call back Friday' }).getByRole('button', { name: /Timeline/ }).click();
    await seeText(page, '#timeline-events', 'Contact hung up');
    await page.getByRole('tab', { name: 'Contacts' }).click();
  });

  await scenario('busy: the call ends by itself and busy is suggested', async () => {
    await dial(page, 'Alice Williams');
    await seeText(page, '#call-state', 'Call ended — Busy', 10000);
    check(await page.getByRole('dialog').getByLabel('Outcome').inputValue() === 'busy', 'busy is suggested');
    await shot(page, 'busy');
    await logOutcome(page, 'busy', '');
  });

  await scenario('no answer: the call ends by itself and no answer is suggested', async () => {
    await dial(page, 'Charlie Brown');
    await seeText(page, '#call-state', 'Call ended — No answer', 10000);
    check(await page.getByRole('dialog').getByLabel('Outcome').inputValue() === 'no_answer', 'no answer is suggested');
    await shot(page, 'no-answer');
    await logOutcome(page, 'no_answer', 'rang out');
  });

  await scenario('a poll answered late never takes the call view back', async () => {
    // The stream is blocked, so the page polls; the first poll's answer (the
    // call while it rings) is held until the page shows the call connected,
    // then delivered: the page must keep the newer state it already shows.
    const late = await newPage();
    await late.route('**/api/v1/events**', (route) => route.abort());
    let held = null;
    await late.route(/\/api\/v1\/calls\/call_[^/?]+$/, async (route) => {
      if (route.request().method() !== 'GET' || held) return route.continue();
      const response = await route.fetch();
      held = { route, response, call: await response.json() };
    });
    await signIn(late, host.url);
    await seeText(late, '#contact-rows', 'John Doe');
    await dial(late, 'John Doe');
    await seeText(late, '#call-state', 'Connected', 15000);
    check(held !== null, 'the page polled while the stream was down');
    check(held.call.status !== 'in-progress', `the held answer is older (it says ${held.call.status})`);
    await late.evaluate(() => {
      window.seenStates = [];
      new MutationObserver(() => window.seenStates.push(document.getElementById('call-state').textContent))
        .observe(document.getElementById('call-state'), { childList: true, characterData: true, subtree: true });
    });
    await held.route.fulfill({ response: held.response });
    await late.waitForTimeout(1300);  // past a second since the answer, so the timer has moved
    const seen = await late.evaluate(() => window.seenStates);
    check(seen.every((text) => text === 'Connected'), `the view went back to: ${seen.join(', ')}`);
    check((await late.locator('#call-timer').innerText()) !== '00:00', 'the timer runs');
    await late.getByRole('button', { name: 'End Call' }).click();
    await logOutcome(late, 'connected_interested', 'late poll');
    await late.context().close();
  });

  await scenario('a reload mid-call takes the call back: its state, its timer, End and the log form', async () => {
    const rep = await newPage();
    await signIn(rep, host.url);
    await seeText(rep, '#contact-rows', 'John Doe');
    await dial(rep, 'John Doe');
    await seeText(rep, '#call-state', 'Connected', 15000);
    await rep.reload();
    // Signed in again from the tab's session: the call view comes back by itself.
    await rep.getByRole('dialog').waitFor({ state: 'visible', timeout: 10000 });
    await seeText(rep, '#call-contact', 'John Doe');
    await seeText(rep, '#call-title', 'Call in progress');
    await seeText(rep, '#call-state', 'Connected');
    await rep.waitForTimeout(1100);
    check((await rep.locator('#call-timer').innerText()) !== '00:00', 'the timer runs from the answer');
    await shot(rep, 'reload-took-the-call-back');
    // The old page's audio may still hang on: the rep moves it here.
    await rep.getByRole('button', { name: 'Join audio here' }).click();
    await rep.getByRole('button', { name: 'Join audio here' }).waitFor({ state: 'hidden', timeout: 5000 });
    await seeText(rep, '#call-state', 'Connected');
    await rep.getByRole('button', { name: 'End Call' }).click();
    await seeText(rep, '#call-title', 'Call ended');
    // Only what applies to an ended call: no Mute, Hold or End Call above the log form.
    for (const name of ['End Call', 'Mute', 'Hold']) {
      check(!(await rep.getByRole('button', { name, exact: true }).isVisible()), `${name} is gone once the call ended`);
    }
    await shot(rep, 'reload-call-ended');
    await logOutcome(rep, 'connected_interested', 'after a reload');
    await seeText(rep, '#contact-rows', 'Connected – interested');
    await rep.context().close();
  });

  await scenario('another tab: dialing while a call is live there shows that call, not an error', async () => {
    const first = await newPage();
    const second = await newPage();
    await signIn(first, host.url);
    await signIn(second, host.url);
    await seeText(first, '#contact-rows', 'John Doe');
    await seeText(second, '#contact-rows', 'Jane Smith');
    await dial(first, 'John Doe');
    await seeText(first, '#call-state', 'Connected', 15000);
    // The second tab signed in before the call: its Dial meets AGENT_BUSY and
    // shows the live call instead.
    await dial(second, 'Jane Smith');
    await seeText(second, '#call-contact', 'John Doe');
    await seeText(second, '#call-state', 'Connected');
    check((await second.locator('#call-error').innerText()).trim() === '', 'no error is shown');
    await shot(second, 'second-tab-shows-the-live-call');
    // Ended there, it ends here.
    await second.getByRole('button', { name: 'End Call' }).click();
    await seeText(first, '#call-title', 'Call ended', 10000);
    await logOutcome(second, 'connected_not_interested', 'from the second tab');
    await first.getByRole('button', { name: 'Cancel' }).click();
    await first.context().close();
    await second.context().close();
  });

  await scenario('live everywhere: another tab, a tab without the stream and an admin see a call as it happens', async () => {
    const watcher = await newPage();  // the same rep in another tab
    const polling = await newPage();  // the same rep, its event stream blocked
    await polling.route('**/api/v1/events**', (route) => route.abort());
    const admin = await newPage();
    const caller = await newPage();
    for (const [tab, apiKey] of [[watcher, key], [polling, key], [admin, adminKey], [caller, key]]) {
      await signIn(tab, host.url, apiKey);
      await seeText(tab, '#contact-rows', 'John Doe');
    }
    const johnsStatus = (tab, text) =>
      tab.locator('#contact-rows tr', { hasText: 'John Doe' }).getByText(text).first().waitFor({ timeout: 12000 });
    await dial(caller, 'John Doe');
    await seeText(caller, '#call-state', 'Connected', 15000);
    for (const tab of [watcher, polling, admin]) await johnsStatus(tab, 'In call');
    await shot(watcher, 'live-another-tab-sees-in-call');
    await admin.getByRole('tab', { name: 'History' }).click();
    await watcher.getByRole('tab', { name: 'History' }).click();
    await caller.getByRole('button', { name: 'End Call' }).click();
    await logOutcome(caller, 'callback_requested', 'seen live everywhere');
    for (const tab of [watcher, admin]) {
      await tab.locator('#history-rows tr', { hasText: 'seen live everywhere' }).waitFor({ timeout: 12000 });
    }
    await shot(admin, 'live-admin-history');
    await johnsStatus(polling, 'Callback requested');
    for (const tab of [watcher, polling, admin, caller]) await tab.context().close();
  });

  /// Uploads `csv` (text) as a new list named `name` from the contacts view.
  async function uploadText(tab, fileName, name, body) {
    const file = path.join(work, fileName);
    fs.writeFileSync(file, body);
    await tab.getByRole('button', { name: 'Upload another list' }).click();
    await tab.getByLabel('CSV or Excel file').setInputFiles(file);
    if (name) await tab.getByLabel('List name (optional)').fill(name);
    await tab.getByRole('button', { name: 'Upload' }).click();
  }

  const seedList = async (tab) => {
    const option = tab.locator('#list-select option', { hasText: 'seed_fixture' });
    await tab.getByLabel('List', { exact: true }).selectOption(await option.getAttribute('value'));
    await seeText(tab, '#contact-rows', 'John Doe');
  };

  await scenario('the team: a supervisor watches the board live while a rep calls from another browser', async () => {
    const lead = await newPage();
    await signInAsPerson(lead, host.url, 'sue@example.com', personPassword);
    await seeText(lead, '#provider-badge', 'Signed in as Sue Lead (supervisor)');
    check(await lead.getByRole('tab', { name: 'People' }).isHidden(), 'a supervisor does not manage people');
    await lead.getByRole('tab', { name: 'Team' }).click();
    const ritaRow = '#board-rows tr[data-agent="rita@example.com"]';
    await seeText(lead, ritaRow, 'Idle');

    const rep = await newPage();  // another browser context: another person's machine
    await signInAsPerson(rep, host.url, 'rita@example.com', personPassword);
    await seeText(rep, '#provider-badge', 'Signed in as Rita Rep (agent)');
    check(await rep.getByRole('tab', { name: 'Team' }).isHidden(), 'an agent has no team board');
    await seedList(rep);
    await dial(rep, 'John Doe');
    await seeText(lead, ritaRow, 'John Doe');
    await seeText(rep, '#call-state', 'Connected', 15000);
    await seeText(lead, ritaRow, 'Talking', 5000);
    await lead.waitForTimeout(1500);
    check(/0[0-9]:[0-9]{2}/.test(await lead.locator(`${ritaRow} td.timer`).innerText()), 'the board counts the talk time');
    await shot(lead, 'team-board-live');
    await accessible(lead, 'the team board with a live call');
    await rep.getByRole('button', { name: 'Hold', exact: true }).click();
    await seeText(lead, ritaRow, 'On hold', 5000);
    await rep.getByRole('button', { name: 'End Call' }).click();
    await seeText(lead, ritaRow, 'Logging the call', 5000);
    await logOutcome(rep, 'meeting_booked', 'board e2e');
    await seeText(lead, ritaRow, 'Idle', 5000);
    await lead.waitForFunction((row) => {
      const cells = document.querySelectorAll(`${row} td`);
      return cells.length > 5 && cells[4].innerText === '1' && cells[5].innerText === '1';
    }, ritaRow, { timeout: 5000 });
    // The stats below the board follow it.
    await seeText(lead, '#team-outcome-rows', 'Meeting booked', 5000);
    await seeText(lead, '#team-agent-rows', 'Rita Rep');
    await seeText(lead, '#team-chart-caption', 'Calls and connects per day');
    await shot(lead, 'team-stats');
    // The supervisor reads the rep's call; the rep reads nobody else's.
    await lead.getByRole('tab', { name: 'History' }).click();
    await seeText(lead, '#history-rows', 'board e2e');
    await rep.getByRole('tab', { name: 'History' }).click();
    check(await rep.locator('#history-agent').isHidden(), 'an agent has no agent filter: its history is its own');
    await seeText(rep, '#history-rows', 'board e2e');
    check(!(await rep.locator('#history-rows').innerText()).includes('rep-e2e'), "an agent does not see another agent's calls");
    for (const tab of [lead, rep]) await tab.context().close();
  });

  await scenario('an admin adds a person who then signs in, changes their role and disables them; all audited', async () => {
    const admin = await newPage();
    admin.on('dialog', (dialog) => dialog.accept());
    await signInAsPerson(admin, host.url, 'ada@example.com', personPassword);
    await admin.getByRole('tab', { name: 'People' }).click();
    await seeText(admin, '#people-rows', 'Rita Rep');
    await admin.locator('#person-email').fill('paul@example.com');
    await admin.locator('#person-name').fill('Paul New');
    await admin.locator('#person-role').selectOption('agent');
    await admin.getByRole('button', { name: 'Add the person' }).click();
    await seeText(admin, '#password-once', 'Hand it over now');
    const password = await admin.locator('#password-once-value').innerText();
    check(password.length === 20, `a generated password is shown once (${password.length} characters)`);
    await seeText(admin, '#people-rows', 'Paul New');
    await shot(admin, 'people-added');
    await accessible(admin, 'people and the audit log');
    await admin.getByRole('button', { name: 'Done' }).click();
    check(await admin.locator('#password-once').isHidden(), 'the password goes away once handed over');

    const paul = await newPage();
    await signInAsPerson(paul, host.url, 'paul@example.com', password);
    await seeText(paul, '#provider-badge', 'Signed in as Paul New (agent)');

    await admin.getByLabel('Role of Paul New').selectOption('supervisor');
    await seeText(admin, '#audit-rows', 'Changed a role (agent → supervisor)');
    await paul.reload();
    await seeText(paul, '#provider-badge', 'Signed in as Paul New (supervisor)');
    check(await paul.getByRole('tab', { name: 'Team' }).isVisible(), 'the new role shows at once');

    await admin.locator('#people-rows tr', { hasText: 'Paul New' }).getByRole('button', { name: 'Disable' }).click();
    await seeText(admin, '#people-rows', 'Disabled');
    await seeText(admin, '#audit-rows', 'Disabled a person');
    await seeText(admin, '#audit-rows', 'Added a person');
    await admin.locator('#audit-action').selectOption({ label: 'Sign-ins and sign-outs' });
    await seeText(admin, '#audit-rows', 'Signed in');
    await shot(admin, 'audit-log');
    await paul.reload();
    await paul.locator('#email').waitFor({ state: 'visible', timeout: 5000 });
    for (const tab of [admin, paul]) await tab.context().close();
  });

  await scenario('the upload report says what to fix, in one place, for its own list; a workbook is named', async () => {
    await uploadText(page, 'messy.csv', 'Messy list', [
      'name,company,phone',
      'Uma London,Example UK,+442079460958',
      'Uma Again,Example UK,+44 20 7946 0958',
      ',Nameless Ltd,+12125550100',
      'Short Number,Tiny Co,12',
      'Fiction Person,Fable Inc,+15551230000',
    ].join('\n') + '\n');
    await seeText(page, '#report-title', 'Import report: Messy list');
    await seeText(page, '#report-summary', '2 contacts imported into “Messy list” from 5 rows');
    await seeText(page, '#upload-report', '2 rows not imported');
    await seeText(page, '#upload-report', 'name is empty');
    await seeText(page, '#upload-report', '1 duplicate merged');
    const merged = page.locator('.report-merged tbody tr');
    check((await merged.innerText()).replace(/\s+/g, ' ').includes('3 2 +44 20 7946 0958'),
      `row 3 is merged into row 2: ${await merged.innerText()}`);
    await page.locator('.report-unverified summary').click();
    await seeText(page, '#upload-report', '1 number imported unverified');
    await seeText(page, '#upload-report', 'could not be confirmed as real, assigned numbers');
    check(await page.locator('#upload-report').count() === 1 && await page.locator('#upload').isHidden(),
      'one report, the upload form put away');
    await shot(page, 'import-report');
    await accessible(page, 'the import report');
    // Another list: the report is not left above it.
    await seedList(page);
    check(await page.locator('#upload-report').isHidden(), 'the report went with its list');
    // A workbook imports from the sheet named; the sheet field is there for workbooks only.
    const book = path.join(work, 'leads.xlsx');
    fs.writeFileSync(book, workbook([
      { name: 'Notes', rows: [['nothing to import here']] },
      { name: 'Leads', rows: [
        ['First Name', 'Last Name', 'Company Name', 'Mobile Phone'],
        ['Xl', 'Ada', 'Sheets Inc', 2125553001],
        ['Xl', 'Bob', 'Sheets Inc', '+1 212 555 3002'],
      ] },
    ]));
    await page.getByRole('button', { name: 'Upload another list' }).click();
    check(await page.locator('#sheet-field').isHidden(), 'no sheet field before a workbook is chosen');
    await page.getByLabel('CSV or Excel file').setInputFiles(book);
    await page.getByLabel('Sheet (optional)').fill('Leads');
    await page.getByLabel('List name (optional)').fill('Workbook list');
    await page.getByRole('button', { name: 'Upload' }).click();
    await seeText(page, '#list-status', 'Workbook list: Imported 2 contacts from the sheet “Leads”');
    await seeText(page, '#contact-rows', 'Xl Ada');
    await shot(page, 'xlsx-imported');
    // A damaged workbook is named as one, with what to do.
    await uploadText(page, 'broken.xlsx', '', Buffer.from('PK\x03\x04\x14\x00\x06\x00\x08\x00[Content_Types].xml', 'latin1'));
    await seeText(page, '#upload-status', 'the workbook cannot be read');
    await seeText(page, '#upload-status', 'save it again as .xlsx');
    check(!(await page.locator('#upload-status').innerText()).includes('PK'), 'no binary bytes echoed');
    await shot(page, 'xlsx-refused');
    await accessible(page, 'the upload form');
    await page.getByRole('button', { name: 'Back to my lists' }).click();
    await seeText(page, '#contact-rows', 'Xl Ada');
    await seedList(page);
  });

  await scenario('a CRM export is matched by its column names; columns it cannot match are chosen in a form', async () => {
    // Names the synonym table knows: imported as they are, first + last joined.
    await uploadText(page, 'crm.csv', 'CRM export', [
      'First Name,Last Name,Company Name,Mobile Phone,Work Phone',
      'Crm Ada,Lovelace,Engines,n/a,+15551232001',
      'Crm Bob,Stone,Quarry,+15551232002,',
    ].join('\n') + '\n');
    await seeText(page, '#report-summary', '2 contacts imported into “CRM export”');
    await seeText(page, '#upload-report', '1 row dialed from another phone column');
    await seeText(page, '#contact-rows', 'Crm Ada Lovelace');
    // A second file added to the same list: Bob again is merged, not added twice.
    const more = path.join(work, 'crm-more.csv');
    fs.writeFileSync(more, 'Full Name,Account,Direct Dial\nCrm Bob Again,Quarry,+15551232002\nCrm Cat,Cattery,+15551232005\n');
    await page.getByRole('button', { name: 'Add a file to this list' }).click();
    await seeText(page, '#upload-title', 'Add a file to “CRM export”');
    check(await page.locator('#list-name').isHidden(), 'no list name when adding to a list');
    await page.getByLabel('CSV or Excel file').setInputFiles(more);
    await page.getByRole('button', { name: 'Add to the list' }).click();
    await seeText(page, '#list-status', 'Added 1 contact, 1 already in the list');
    await seeText(page, '#upload-report', 'already in the list');
    await seeText(page, '#contact-rows', 'Crm Cat');
    check(await page.locator('#contact-rows tr', { hasText: 'Crm Bob' }).count() === 1, 'Bob is in the list once');
    // Names it does not know: the form, with the file's first rows, before anything lands.
    await uploadText(page, 'odd.csv', 'Odd columns', [
      'Who,Outfit,Digits,Remarks',
      'Odd Olga,Oddities,+15551232003,call after 3',
      'Odd Otto,Oddities,+15551232004,',
    ].join('\n') + '\n');
    await page.locator('#mapping-form').waitFor({ state: 'visible', timeout: 10000 });
    await seeText(page, '#mapping-why', 'No column was recognised for name, company, phone');
    await seeText(page, '#mapping-preview', 'Odd Olga');
    const lists = await page.locator('#list-select option', { hasText: 'Odd columns' }).count();
    check(lists === 0, 'nothing imported before the rep confirms');
    await shot(page, 'mapping-form');
    await accessible(page, 'the mapping form');
    await page.locator('#map-name-0').selectOption({ label: '1. Who' });
    await page.locator('#map-company-0').selectOption({ label: '2. Outfit' });
    await page.locator('#map-phone-0').selectOption({ label: '3. Digits' });
    await page.getByRole('button', { name: 'Import with these columns' }).click();
    await seeText(page, '#report-summary', '2 contacts imported into “Odd columns”');
    check(await page.locator('#mapping-form').isHidden(), 'the form is put away');
    await seeText(page, '#contact-rows', 'Odd Olga');
    await seedList(page);
  });

  await scenario('working a list fast: save and dial next, skip, the list remembered, a cancelled log stays visible', async () => {
    await uploadText(page, 'fast.csv', 'Fast list', [
      'name,company,phone',
      'Fast Ada,Alpha,+15551231001',
      'Fast Ben,Beta,+15551231002',
      'Fast Cy,Gamma,+15551231003',
      'Fast Di,Delta,+15551231004',
    ].join('\n') + '\n');
    await seeText(page, '#contact-rows', 'Fast Ada');
    // The list being worked is remembered for this rep, not "the newest".
    await seedList(page);
    await page.reload();
    await seeText(page, '#contact-rows', 'John Doe', 15000);
    const fast = page.locator('#list-select option', { hasText: 'Fast list' });
    await page.getByLabel('List', { exact: true }).selectOption(await fast.getAttribute('value'));
    await seeText(page, '#contact-rows', 'Fast Ada');

    await dial(page, 'Fast Ada');
    await seeText(page, '#call-state', 'Connected', 15000);
    await page.getByRole('button', { name: 'End Call' }).click();
    await seeText(page, '#next-up', 'Next: Fast Ben');
    await page.getByRole('button', { name: 'Skip Fast Ben' }).click();
    await seeText(page, '#next-up', 'Next: Fast Cy');
    await shot(page, 'log-form-next-up');
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Outcome').selectOption('connected_not_interested');
    await page.getByRole('button', { name: 'Save and dial next' }).click();
    await seeText(page, '#call-contact', 'Fast Cy', 10000);
    await seeText(page, '#call-state', 'Connected', 15000);
    await page.getByRole('button', { name: 'End Call' }).click();
    await seeText(page, '#log-form', 'Log the call');
    // Cancel: the call stays visibly unlogged.
    await page.getByRole('button', { name: 'Cancel' }).click();
    await page.getByRole('dialog').waitFor({ state: 'hidden', timeout: 5000 });
    await seeText(page, '#unlogged', 'Your call to Fast Cy');
    await page.locator('#contact-rows tr', { hasText: 'Fast Cy' }).getByText('Not logged').waitFor({ timeout: 5000 });
    check((await page.locator('#contact-rows tr', { hasText: 'Fast Ada' }).innerText()).includes('Connected – not interested'),
      'the first call was logged');
    check((await page.locator('#contact-rows tr', { hasText: 'Fast Ben' }).innerText()).includes('Not called'),
      'the skipped contact was not called');
    await shot(page, 'unlogged-reminder');
    await accessible(page, 'contacts with an unlogged call');
    await page.getByRole('button', { name: 'Log it now' }).click();
    await seeText(page, '#log-form', 'Log the call');
    await logOutcome(page, 'meeting_booked', 'logged after all');
    check(await page.locator('#unlogged').isHidden(), 'the reminder is gone once logged');
    await seeText(page, '#contact-rows', 'Meeting booked');

    // My day: the rep's own numbers today, the same as the history says.
    const midnight = new Date();
    midnight.setHours(0, 0, 0, 0);
    const today = await (await fetch(`${host.url}/api/v1/calls?agent_id=rep-e2e&per_page=1&from=${Math.floor(midnight / 1000)}`,
      { headers: { 'X-API-Key': key } })).json();
    await page.waitForFunction((n) => document.getElementById('stat-calls').textContent === String(n), today.total,
      { timeout: 8000 }).catch(async () => {
      throw new Error(`My day says ${await page.locator('#stat-calls').innerText()} calls; history has ${today.total}`);
    });
    check(Number(await page.locator('#stat-connects').innerText()) >= 3, 'connects are counted');
    await seeText(page, '#stat-outcomes', 'Meeting booked 1');
    await page.getByText('My last 14 days').click();
    await page.locator('#trend-chart canvas').waitFor({ timeout: 8000 });
    await seeText(page, '#trend-caption', `${today.total} calls`);
    await shot(page, 'my-day');
    await accessible(page, 'my day with its chart');
    await page.getByText('My last 14 days').click();
    // On another machine (nothing remembered there) the rep finds the list of
    // their latest call, not the newest list.
    await uploadText(page, 'later.csv', 'Later list', 'name,company,phone\nLate Lou,Later Co,+15551231009\n');
    await seeText(page, '#contact-rows', 'Late Lou');
    const elsewhere = await newPage();
    await signIn(elsewhere, host.url);
    await seeText(elsewhere, '#contact-rows', 'Fast Ada');
    check(await elsewhere.locator('#list-select option:checked').innerText() !== '', 'a list is selected');
    check((await elsewhere.locator('#list-select option:checked').innerText()).startsWith('Fast list'),
      'the list of the latest call is shown');
    await elsewhere.context().close();
    await seedList(page);
  });

  await scenario('a bad CSV is refused with the reason, and the list stays', async () => {
    await page.getByRole('button', { name: 'Upload another list' }).click();
    await page.getByLabel('CSV or Excel file').setInputFiles(path.join(repo, 'tests/fixtures/csv/missing_column.csv'));
    await page.getByRole('button', { name: 'Upload' }).click();
    // No company column: the host asks, the rep sees why and can back out.
    await seeText(page, '#mapping-why', 'No column was recognised for company');
    await shot(page, 'bad-csv');
    await page.getByRole('button', { name: 'Cancel' }).click();
    await seeText(page, '#upload-status', 'Nothing was imported');
    await page.getByLabel('CSV or Excel file').setInputFiles(path.join(repo, 'tests/fixtures/csv/empty.csv'));
    await page.getByRole('button', { name: 'Upload' }).click();
    await seeText(page, '#upload-status', 'empty');
    // Every row refused: the report says why, row by row, and goes with the form.
    await page.getByLabel('CSV or Excel file').setInputFiles(path.join(repo, 'tests/fixtures/csv/no_valid_rows.csv'));
    await page.getByRole('button', { name: 'Upload' }).click();
    await seeText(page, '#report-title', 'Why the file was not imported');
    await seeText(page, '#upload-report', 'rows not imported');
    await shot(page, 'no-valid-rows');
    await page.getByRole('button', { name: 'Back to my lists' }).click();
    await seeText(page, '#contact-rows', 'John Doe');
    check(await page.locator('#upload-report').isHidden(), 'the refused file\'s report went with the form');
  });

  await scenario('a denied microphone: a clear message, no call placed, the page usable', async () => {
    const denied = await newPage();
    await denied.addInitScript(() => {
      navigator.mediaDevices.getUserMedia = () => Promise.reject(new DOMException('denied', 'NotAllowedError'));
    });
    await signIn(denied, host.url);
    await seedList(denied);
    await seeText(denied, '#contact-rows', 'Jane Smith');
    await dial(denied, 'Jane Smith');
    await seeText(denied, '#call-error', 'Microphone access was denied');
    await shot(denied, 'microphone-denied');
    await accessible(denied, 'the call dialog, not connected');
    await denied.getByRole('button', { name: 'Close', exact: true }).click();
    await seeText(denied, '#contact-rows tr:nth-child(2)', 'Not called');
    check(await (await rowOf(denied, 'Jane Smith')).getByRole('button', { name: 'Dial Jane Smith' }).isEnabled(),
      'Dial is usable again');
    await denied.context().close();
  });

  await scenario('the page has its icon (no 404 on every load)', async () => {
    const icon = await page.evaluate(async () => {
      const link = document.querySelector('link[rel=icon]');
      const answer = await fetch(link.href);
      return { status: answer.status, type: answer.headers.get('content-type') };
    });
    check(icon.status === 200 && icon.type.startsWith('image/svg+xml'), `the icon answered ${JSON.stringify(icon)}`);
  });

  await scenario('the Twilio and Telnyx SDK bundles are served by the host and load under its CSP', async () => {
    const problems = [];
    page.on('console', (message) => {
      if (message.type() === 'error' && /Content Security Policy|Refused/.test(message.text())) problems.push(message.text());
    });
    const loaded = await page.evaluate(async () => {
      const adapters = await import('/ui/adapters.js');
      await adapters.legFor('twilio').prepare();
      await adapters.legFor('telnyx').prepare();
      return {
        twilio: typeof (window.Twilio && window.Twilio.Device),
        telnyx: typeof (window.TelnyxWebRTC && window.TelnyxWebRTC.TelnyxRTC),
      };
    });
    check(loaded.twilio === 'function', `Twilio.Device is ${loaded.twilio}`);
    check(loaded.telnyx === 'function', `TelnyxWebRTC.TelnyxRTC is ${loaded.telnyx}`);
    check(problems.length === 0, `CSP refused: ${problems.join('; ')}`);
  });

  await scenario('the host goes away: a clear message, the page stays usable', async () => {
    host.child.kill('SIGTERM');
    await new Promise((resolve) => host.child.once('exit', resolve));
    await dial(page, 'Jane Smith');
    await seeText(page, '#call-error', 'Cannot reach the Switchboard host');
    await shot(page, 'host-unreachable');
    await page.getByRole('button', { name: 'Close', exact: true }).click();
  });
} finally {
  await browser.close();
  if (host.child.exitCode === null) host.child.kill('SIGTERM');
  fs.rmSync(work, { recursive: true, force: true });
}

console.log(`screenshots in ${outDir}:\n  ${shots.join('\n  ')}`);
console.log(`axe-core found no serious or critical violation on: ${axeChecked.join('; ')}`);
if (failures.length > 0) {
  console.log(`${failures.length} scenario(s) failed: ${failures.join('; ')}`);
  process.exit(1);
}
console.log('all scenarios passed');
