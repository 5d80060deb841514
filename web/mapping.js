// The column-mapping form: when the host cannot tell which column of an
// upload holds a contact's name, company or phone (422 MAPPING_REQUIRED), it
// sends the header, its best guesses and the first rows; the rep picks a
// column per field and the same file is sent again with that mapping.
import { $, el } from './dom.js';

/// field, its label, whether it is required, and how many columns it takes
/// (a name from first + last; a phone with a fallback column).
const FIELDS = [
  { field: 'name', label: 'Name', required: true, columns: ['Column', 'joined with (e.g. last name)'] },
  { field: 'company', label: 'Company', required: true, columns: ['Column'] },
  { field: 'phone', label: 'Phone', required: true, columns: ['Column', 'when empty, use'] },
  { field: 'title', label: 'Title', required: false, columns: ['Column'] },
  { field: 'email', label: 'Email', required: false, columns: ['Column'] },
  { field: 'timezone', label: 'Time zone', required: false, columns: ['Column'] },
];

/// A proposal entry ("Mobile Phone", "#3", or a list of them) as column numbers.
function columnsOf(value, header) {
  const list = value == null ? [] : Array.isArray(value) ? value : [value];
  return list.map((reference) => {
    const numbered = /^#(\d+)$/.exec(reference);
    if (numbered) return Number(numbered[1]);
    const index = header.indexOf(reference);
    return index >= 0 ? index + 1 : 0;
  }).filter((number) => number > 0);
}

function columnSelect(id, label, header, chosen, required) {
  const select = el('select', { id, required: required || null },
    el('option', { value: '' }, required ? 'Choose a column' : '(none)'),
    header.map((text, i) => el('option', { value: `#${i + 1}` }, `${i + 1}. ${text || '(no name)'}`)));
  if (chosen) select.value = `#${chosen}`;
  return el('div', { class: 'field' }, el('label', { for: id }, label), select);
}

/// Shows the form for `details` (the 422's details). `onImport(mapping)` is
/// called with field -> column(s) when the rep confirms; `onCancel` when not.
export function showMapping(details, onImport, onCancel) {
  const header = details.header || [];
  const proposal = details.mapping || {};
  const missing = details.missing || [];
  const ambiguous = Object.keys(details.ambiguous || {});
  const why = [];
  if (missing.length) why.push(`No column was recognised for ${missing.join(', ')}.`);
  if (ambiguous.length) why.push(`More than one column could be ${ambiguous.join(', ')}.`);
  why.push('Choose the column for each field; nothing is imported until you confirm.');
  $('mapping-why').textContent = why.join(' ');

  const fields = $('mapping-fields');
  fields.replaceChildren();
  for (const spec of FIELDS) {
    const chosen = columnsOf(proposal[spec.field], header);
    const group = el('fieldset', { class: 'mapping-field' }, el('legend', {}, spec.label + (spec.required ? '' : ' (optional)')));
    spec.columns.forEach((label, i) => {
      group.append(columnSelect(`map-${spec.field}-${i}`, label, header, chosen[i], spec.required && i === 0));
    });
    fields.append(group);
  }

  const preview = $('mapping-preview');
  preview.replaceChildren(
    el('thead', {}, el('tr', {}, header.map((text, i) => el('th', { scope: 'col' }, `${i + 1}. ${text}`)))),
    el('tbody', {}, (details.preview || []).map((row) => el('tr', {},
      header.map((_, i) => el('td', { 'data-label': header[i] }, row[i] || ''))))));

  const form = $('mapping-form');
  form.hidden = false;
  form.onsubmit = (event) => {
    event.preventDefault();
    const mapping = {};
    for (const spec of FIELDS) {
      const picked = spec.columns.map((_, i) => $(`map-${spec.field}-${i}`).value).filter(Boolean);
      mapping[spec.field] = picked.length === 0 ? null : picked.length === 1 ? picked[0] : picked;
    }
    form.hidden = true;
    onImport(mapping);
  };
  $('mapping-cancel').onclick = () => {
    form.hidden = true;
    onCancel();
  };
  $('map-name-0').focus();
}

export function hideMapping() {
  $('mapping-form').hidden = true;
}
