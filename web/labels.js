// Words a person reads, for the API's codes.

const OUTCOMES = {
  connected_interested: 'Connected – interested',
  connected_not_interested: 'Connected – not interested',
  meeting_booked: 'Meeting booked',
  callback_requested: 'Callback requested',
  no_answer: 'No answer',
  voicemail_left: 'Voicemail left',
  busy: 'Busy',
  wrong_number: 'Wrong number',
  gatekeeper: 'Gatekeeper',
  do_not_call: 'Do not call',
};

export function outcomeLabel(code) {
  if (!code) return '';
  if (OUTCOMES[code]) return OUTCOMES[code];
  const words = code.replace(/[_-]+/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

const STATUSES = { not_called: 'Not called', in_call: 'In call', called: 'Called', do_not_call: 'Do not call' };

export function contactStatusLabel(code) {
  return STATUSES[code] || outcomeLabel(code);
}

const RESULTS = {
  answered: 'Answered', abandoned: 'Abandoned (no agent joined)', busy: 'Busy', 'no-answer': 'No answer', failed: 'Failed', canceled: 'Canceled',
  completed: 'Completed',
};

export function resultLabel(code) {
  return RESULTS[code] || outcomeLabel(code) || '—';
}

/// The outcome to suggest for a call the provider ended with `result`.
export function suggestedOutcome(result, dispositions) {
  const guess = { busy: 'busy', 'no-answer': 'no_answer' }[result];
  return guess && dispositions.includes(guess) ? guess : '';
}

export function clock(seconds) {
  const s = Math.max(0, Math.floor(seconds));
  const hours = Math.floor(s / 3600);
  const mm = String(Math.floor((s % 3600) / 60)).padStart(2, '0');
  const ss = String(s % 60).padStart(2, '0');
  return hours > 0 ? `${hours}:${mm}:${ss}` : `${mm}:${ss}`;
}

export function when(iso) {
  if (!iso) return '';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString();
}
