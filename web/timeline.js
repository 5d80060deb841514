// A call's timeline in the rep's words. A command the page sent (mute,
// hold, end) and the carrier's confirmation read as one step; what the
// carrier did on its own reads on its own. The raw event (type, source,
// participant id) stays one toggle away for support.
import { el } from './dom.js';
import { outcomeLabel } from './labels.js';

const ENDED = {
  completed: 'Contact hung up',
  busy: 'The line was busy',
  'no-answer': 'No answer',
  failed: 'The call failed',
  canceled: 'Canceled before the contact answered',
};

/// The words for one event. `context.endedByAgent`: an end was asked for
/// from the dialer before the contact's leg ended.
function words(event, context) {
  const agent = event.leg === 'agent';
  switch (event.type) {
    case 'call.created': return 'Call created';
    case 'call.placed': return 'Dialing';
    case 'leg.initiated': return agent ? 'Your audio is being connected' : 'Dialing the contact';
    case 'leg.ringing': return agent ? 'Your audio is ringing' : 'Ringing';
    case 'leg.answered': return agent ? 'Your audio answered' : 'Answered';
    case 'leg.ended':
      if (agent) return 'Your audio left the call';
      if (event.cause === 'completed' && context.endedByAgent) return 'The contact’s line closed';
      return ENDED[event.cause] || 'The contact’s line ended';
    case 'agent.connecting': return 'Your audio is connecting';
    case 'agent.joined': return 'Your audio joined the call';
    case 'agent.left': return 'Your audio left the call';
    case 'control.mute':
    case 'participant.muted':
      return event.muted ? 'You muted your microphone' : 'You unmuted your microphone';
    case 'control.hold':
    case 'participant.held':
      return event.held ? 'You put the contact on hold' : 'You took the contact off hold';
    case 'conference.started': return 'You and the contact are connected';
    case 'conference.ended': return 'The call’s bridge closed';
    case 'call.end_requested': return 'You ended the call';
    case 'call.end_confirmed': return 'The carrier confirmed the end';
    case 'call.end_failed': return 'Ending the call reported a problem';
    case 'call.failed': return 'The call could not be placed';
    case 'call.abandoned': return 'Nobody joined in time: the contact was hung up';
    case 'call.agent_gone': return 'Your audio did not come back in time: the call was ended';
    case 'call.reconciled': return 'The carrier reports the call over';
    case 'bridge.end_requested': return 'Closing the call’s bridge';
    case 'outcome.logged': return event.outcome ? `Logged as “${outcomeLabel(event.outcome)}”` : 'Call logged';
    default: return event.type;
  }
}

/// The confirmation a command waits for, if the carrier sends one.
function confirms(command, event) {
  if (command.type === 'control.mute') return event.type === 'participant.muted' && event.muted === command.muted;
  if (command.type === 'control.hold') return event.type === 'participant.held' && event.held === command.held;
  if (command.type === 'call.end_requested') return event.type === 'call.end_confirmed';
  return false;
}

const COMMANDS = new Set(['control.mute', 'control.hold', 'call.end_requested']);
const PAIR_WINDOW_MS = 15000;

/// Steps: `{ event, confirmation, pending }`, in the order things happened.
/// The carrier's confirmation may be stored before the command it confirms
/// (its webhook can beat the host's own write): pairs are made either way,
/// each confirmation used once, the nearest in time first.
export function steps(timeline) {
  const at = (event) => event.occurred_at_ms ?? Date.parse(event.occurred_at);
  const used = new Set();
  const pairOf = new Map();  // command index -> confirmation index
  timeline.forEach((command, i) => {
    if (!COMMANDS.has(command.type)) return;
    let best = -1;
    timeline.forEach((event, j) => {
      if (used.has(j) || !confirms(command, event) || Math.abs(at(event) - at(command)) > PAIR_WINDOW_MS) return;
      if (best < 0 || Math.abs(at(event) - at(command)) < Math.abs(at(timeline[best]) - at(command))) best = j;
    });
    if (best >= 0) {
      used.add(best);
      pairOf.set(i, best);
    }
  });
  const out = [];
  timeline.forEach((event, i) => {
    if (used.has(i)) return;
    const pair = pairOf.get(i);
    out.push({ event, confirmation: pair === undefined ? null : timeline[pair], pending: COMMANDS.has(event.type) && pair === undefined });
  });
  return out;
}

function raw(event) {
  const parts = [event.type, `from ${event.source}`];
  if (event.leg) parts.push(`${event.leg} leg`);
  if (event.participant_id) parts.push(event.participant_id);
  if (event.cause) parts.push(`cause ${event.cause}`);
  if (event.error) parts.push(event.error);
  if (event.reason) parts.push(event.reason);
  return parts.join(' · ');
}

/// The time of day (the heading above says the date), to the second.
function timeOf(iso) {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleTimeString();
}

/// The list items for a call's timeline.
export function timelineItems(call) {
  const timeline = call.timeline || [];
  const context = { endedByAgent: false };
  const items = [];
  for (const step of steps(timeline)) {
    const { event, confirmation } = step;
    if (event.type === 'call.end_requested') context.endedByAgent = true;
    const detail = event.type === 'call.failed' || event.type === 'call.end_failed' ? event.error : null;
    const status = confirmation ? 'confirmed by the carrier' : step.pending ? 'not confirmed by the carrier' : null;
    items.push(el('li', { class: event.source === 'host' ? 'by-dialer' : 'by-carrier' },
      el('time', { datetime: event.occurred_at }, timeOf(event.occurred_at)), ' ',
      el('span', { class: 'what' }, words(event, context)),
      detail ? el('span', { class: 'muted' }, ` (${detail})`) : null,
      status ? el('span', { class: 'muted' }, ` · ${status}`) : null,
      el('code', { class: 'raw' }, raw(event)),
      confirmation ? el('code', { class: 'raw' }, raw(confirmation)) : null));
  }
  return items;
}
