// The import report, in one place and grouped the way a rep fixes a list:
// rows not imported (and why), duplicates merged (into which row), numbers
// imported unverified (and what that means), numbers on the do-not-call
// list. The host tags every issue with its `kind` (docs/HTTP_API.md).
import { el, plural } from './dom.js';

const GROUPS = [
  {
    kind: 'skipped',
    title: (n) => `${plural(n, 'row')} not imported`,
    explain: 'Fix these rows in your file and upload it again (or upload just these rows as another list).',
    columns: ['Row', 'Column', 'Why', 'Value'],
    cells: (issue) => [String(issue.row), issue.column || '—', issue.reason, issue.value || ''],
    open: true,
  },
  {
    kind: 'merged',
    title: (n) => `${plural(n, 'duplicate')} merged`,
    explain: 'The same number appeared again: the later row was merged into the first, which was imported. A number '
      + 'the list already had keeps its contact (and its calls); only the contact\'s empty fields were filled.',
    columns: ['Row', 'Merged into row', 'Number as written'],
    cells: (issue) => [String(issue.row),
      issue.merged_into != null ? String(issue.merged_into) : 'already in the list', issue.value || ''],
    open: true,
  },
  {
    kind: 'phone_column',
    title: (n) => `${plural(n, 'row')} dialed from another phone column`,
    explain: 'The first phone column held something that is not a number, so the next column with a number was used.',
    columns: ['Row', 'Why', 'Not used'],
    cells: (issue) => [String(issue.row), issue.reason, issue.value || ''],
    open: false,
  },
  {
    kind: 'unverified',
    title: (n) => `${plural(n, 'number')} imported unverified`,
    explain: 'These numbers have a possible shape but could not be confirmed as real, assigned numbers (for example the '
      + 'fictional 555 area code). They were imported and can be dialed; the carrier has the last word when you call.',
    columns: ['Row', 'Number as written'],
    cells: (issue) => [String(issue.row), issue.value || ''],
    open: false,
  },
  {
    kind: 'do_not_call',
    title: (n) => `${plural(n, 'number')} on the do-not-call list`,
    explain: 'Imported so the list is complete, but never dialed.',
    columns: ['Row', 'Number as written'],
    cells: (issue) => [String(issue.row), issue.value || ''],
    open: false,
  },
];

/// What an issue is, for a host older than the `kind` field.
function kindOf(issue) {
  if (issue.kind) return issue.kind;
  if (issue.severity !== 'warning') return 'skipped';
  if (/^duplicate of row/.test(issue.reason || '')) return 'merged';
  if (/do-not-call/.test(issue.reason || '')) return 'do_not_call';
  return 'unverified';
}

function table(group, issues) {
  return el('table', { class: 'grid compact' },
    el('thead', {}, el('tr', {}, group.columns.map((name) => el('th', { scope: 'col' }, name)))),
    el('tbody', {}, issues.map((issue) => el('tr', {},
      group.cells(issue).map((text, i) => el('td', { 'data-label': group.columns[i] }, text))))));
}

/// Renders `report` (an import's report, or a refused file's details) into
/// `summary` and `groups`. `list` is the list it belongs to (null when the
/// file was refused). Returns whether there is anything to show.
export function renderReport(summary, groups, report, list) {
  groups.replaceChildren();
  const issues = (report && report.issues) || [];
  const byKind = new Map(GROUPS.map((group) => [group.kind, []]));
  for (const issue of issues) byKind.get(kindOf(issue))?.push(issue);
  if (list) {
    const parts = [`${plural(list.imported, 'contact')} imported into “${list.name}”`];
    if (report && report.rows != null) parts.push(`from ${plural(report.rows, 'row')}`);
    if (report && report.sheet) parts.push(`of the sheet “${report.sheet}”`);
    summary.textContent = parts.join(' ') + '.';
  } else {
    summary.textContent = issues.length ? 'Nothing was imported. The rows below say why:' : '';
  }
  for (const group of GROUPS) {
    const found = byKind.get(group.kind);
    if (found.length === 0) continue;
    const count = report && group.kind === 'skipped' && report.skipped != null ? report.skipped
      : report && group.kind === 'merged' && report.duplicates != null ? report.duplicates
        : report && group.kind === 'unverified' && report.unverified != null ? report.unverified : found.length;
    const details = el('details', { class: `report-${group.kind}`, open: group.open },
      el('summary', {}, group.title(count)),
      el('p', { class: 'hint' }, group.explain),
      table(group, found));
    if (count > found.length) {
      details.append(el('p', { class: 'hint' }, `The first ${found.length} are listed; the file has ${count}.`));
    }
    groups.append(details);
  }
  if (report && report.issues_truncated) {
    groups.append(el('p', { class: 'hint' }, `${plural(report.issues_truncated, 'more issue')} not listed.`));
  }
  return groups.children.length > 0;
}
