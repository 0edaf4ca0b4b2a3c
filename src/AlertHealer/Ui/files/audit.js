import * as api from './api.js';
import { h, clear, byId, show } from './dom.js';
import { time, tone } from './format.js';

// The outcomes GET /audit accepts (Audit/Outcomes.cs).
export const outcomes = [
  'restarted', 'dry-run', 'skipped-dependency-not-ready', 'skipped-no-target', 'skipped-already-replaced',
  'skipped-in-progress', 'ignored-no-policy', 'resolved', 'failed', 'suppressed-paused', 'suppressed-cooldown',
  'suppressed-breaker-open', 'suppressed-needs-human', 'skipped-signal-cleared', 'skipped-signal-unavailable', 'skipped-alert-resolved',
  'policy-paused', 'policy-resumed', 'policy-reset', 'breaker-closed',
];

const fields = ['outcome', 'policy', 'trigger', 'alertname', 'fingerprint', 'since', 'until', 'limit'];
const columns = 9;

// cursors: the cursor of each page after the first, as the API handed them out ("older").
// ticket: only the latest request may render (a slow refresh must not overwrite a newer filter).
const state = { cursors: [], next: null, expanded: new Set(), ticket: 0 };

const badge = (word) => (word ? h('span', { class: `badge ${tone(word)}`, text: word }) : '');
const muted = (text) => h('span', { class: 'muted', text });

// Filters live in the query string (never the token), so a filtered view can be shared.
export function init(reload) {
  const form = byId('filters');
  const select = form.elements.namedItem('outcome');
  for (const o of outcomes) select.append(h('option', { value: o, text: o }));
  const query = new URLSearchParams(location.search);
  for (const name of fields) {
    const value = query.get(name);
    if (value === null) continue;
    const field = form.elements.namedItem(name);
    // A value from a shared link that the list does not offer (a policy not loaded yet, limit=10).
    if (field instanceof HTMLSelectElement && ![...field.options].some((o) => o.value === value)) {
      field.append(h('option', { value, text: value }));
    }
    field.value = value;
  }
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    apply(reload);
  });
  // The reset event comes before the fields are reset.
  form.addEventListener('reset', () => setTimeout(() => apply(reload), 0));
  byId('older').addEventListener('click', () => {
    if (!state.next) return;
    state.cursors.push(state.next);
    reload();
  });
  byId('newer').addEventListener('click', () => {
    state.cursors.pop();
    reload();
  });
  byId('newest').addEventListener('click', () => {
    state.cursors = [];
    reload();
  });
}

function apply(reload) {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(filters())) if (value !== '') query.set(name, value);
  const search = query.toString();
  history.replaceState(history.state, '', location.pathname + (search ? `?${search}` : '') + location.hash);
  state.cursors = [];
  reload();
}

function filters() {
  const form = byId('filters');
  return Object.fromEntries(fields.map((name) => [name, form.elements.namedItem(name).value.trim()]));
}

// datetime-local has no zone; the page speaks UTC.
const utc = (value) => (value ? new Date(`${value}Z`).toISOString() : '');

export function setPolicies(names) {
  const select = byId('filters').elements.namedItem('policy');
  const chosen = select.value;
  clear(select);
  select.append(h('option', { value: '', text: 'any' }));
  for (const name of new Set([...names, chosen].filter(Boolean))) select.append(h('option', { value: name, text: name }));
  select.value = chosen;
}

// Whether a refresh may replace the list: only the newest page moves under the user's feet.
export const onFirstPage = () => state.cursors.length === 0;

export async function load() {
  const f = filters();
  const ticket = ++state.ticket;
  const page = await api.get('../audit', {
    ...f, since: utc(f.since), until: utc(f.until), cursor: state.cursors.at(-1),
  });
  if (ticket !== state.ticket) return page;
  state.next = page.nextCursor ?? null;
  render(page.items);
  return page;
}

function render(items) {
  show(byId('audit-error'), false);
  const body = byId('audit').tBodies[0];
  clear(body);
  for (const entry of items) {
    const open = state.expanded.has(entry.id);
    const row = h('tr', { class: `entry outcome-${tone(entry.outcome)}`, 'data-id': entry.id, 'aria-expanded': String(open) });
    const toggle = h('button', { type: 'button', class: 'toggle', 'aria-label': `Details of entry ${entry.id}`, text: open ? '▾' : '▸' });
    const detail = h('tr', { class: 'detail', hidden: !open }, h('td', { colspan: columns }, open ? details(entry) : null));
    const flip = () => {
      const opening = detail.hidden;
      if (opening) state.expanded.add(entry.id); else state.expanded.delete(entry.id);
      if (opening && !detail.firstChild.firstChild) detail.firstChild.append(details(entry));
      detail.hidden = !opening;
      row.setAttribute('aria-expanded', String(opening));
      toggle.textContent = opening ? '▾' : '▸';
    };
    row.addEventListener('click', (event) => {
      // Selecting text in a row is not a click on it.
      if (event.target !== toggle && String(window.getSelection())) return;
      flip();
    });
    const alert = entry.alert;
    row.append(
      h('td', { class: 'toggle-col' }, toggle),
      h('td', { class: 'nowrap', text: time(entry.time) }),
      h('td', {}, badge(entry.outcome), entry.dryRun && entry.outcome !== 'dry-run' ? h('span', { class: 'muted', text: ' dry run' }) : ''),
      h('td', {}, badge(entry.verification)),
      h('td', { text: entry.policy ?? '' }),
      h('td', { class: 'nowrap' }, entry.trigger, entry.actor ? muted(` ${entry.actor.name}`) : ''),
      h('td', {}, alert ? [alert.name, alert.status === 'resolved' ? muted(' resolved') : ''] : muted('—')),
      h('td', { class: 'mono nowrap' }, entry.action ? entry.action.pod : alert?.labels?.pod ? muted(alert.labels.pod) : ''),
      h('td', { class: 'num', text: entry.duplicates || '' }));
    body.append(row, detail);
  }
  show(byId('audit-empty'), items.length === 0);
  byId('page').textContent = `page ${state.cursors.length + 1}`;
  byId('older').disabled = !state.next;
  byId('newer').disabled = state.cursors.length === 0;
  byId('newest').disabled = state.cursors.length === 0;
}

export function showError(message) {
  const line = byId('audit-error');
  line.textContent = message;
  show(line, true);
}

export function reset() {
  clear(byId('audit').tBodies[0]);
  state.cursors = [];
  state.next = null;
  state.expanded.clear();
  state.ticket++;
  show(byId('audit-empty'), false);
  show(byId('audit-error'), false);
}

function details(e) {
  const facts = [
    ['Entry', `#${e.id} at ${time(e.time)}`],
    ['Trigger', [e.trigger, e.actor ? ` by ${e.actor.role} ${e.actor.name}` : '']],
    ['Reason', e.reason],
    ['Alert', e.alert && [e.alert.name, ` (${e.alert.status}), started ${time(e.alert.startsAt)}, fingerprint `, h('code', { text: e.alert.fingerprint })]],
    ['Labels', e.alert && Object.entries(e.alert.labels ?? {}).map(([k, v]) => h('span', { class: 'chip', text: `${k}=${v}` }))],
    ['Action', e.action && [`${e.action.kind} ${e.action.namespace}/`, h('strong', { text: e.action.pod }), ' uid ', h('code', { text: e.action.uid }),
      e.action.dryRun ? ' (dry run)' : '', ` at ${time(e.action.at)}`]],
    ['Outcome', [badge(e.outcome), e.dryRun ? ' dry run' : '']],
    ['Verification', e.verification && [badge(e.verification), e.verificationDetail ? ` ${e.verificationDetail}` : '']],
    ['Error', e.error && h('span', { class: 'bad-text', text: e.error })],
    ['Duplicates', e.duplicates ? String(e.duplicates) : null],
  ].filter(([, value]) => value !== null && value !== undefined && value !== '');
  return h('div', { class: 'details' },
    h('dl', { class: 'facts' }, facts.map(([name, value]) => [h('dt', { text: name }), h('dd', {}, value)])),
    steps(e.steps ?? []));
}

function steps(list) {
  if (list.length === 0) return muted('No decision steps recorded.');
  const body = h('tbody');
  list.forEach((step, i) => {
    body.append(h('tr', { class: 'step' },
      h('td', { class: 'num muted', text: i + 1 }),
      h('td', { class: 'step-name', text: step.name }),
      h('td', {}, badge(step.result)),
      h('td', { class: 'step-detail', text: step.detail })));
    if (step.pods && step.pods.length) body.append(h('tr', { class: 'pods' }, h('td'), h('td', { colspan: 3 }, pods(step.pods))));
  });
  return h('table', { class: 'grid steps' },
    h('thead', {}, h('tr', {}, h('th', { text: '#' }), h('th', { text: 'Step' }), h('th', { text: 'Result' }), h('th', { text: 'Detail' }))),
    body);
}

function pods(list) {
  return h('table', { class: 'grid pods-table' },
    h('thead', {}, h('tr', {}, ['Pod seen', 'UID', 'Ready', 'Ready since', 'Controlled'].map((t) => h('th', { text: t })))),
    h('tbody', {}, list.map((p) => h('tr', {},
      h('td', { class: 'mono', text: p.name }),
      h('td', { class: 'mono muted', text: p.uid }),
      h('td', {}, badge(p.ready ? 'ready' : 'not-ready')),
      h('td', { class: 'nowrap', text: time(p.readySince) }),
      h('td', { text: p.controlled ? 'yes' : 'no' })))));
}
