// How values are written on the page. Times in UTC, like the logs they are compared with.
export function time(iso) {
  if (!iso) return '';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return String(iso);
  return date.toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z');
}

// "01:00:00" (a .NET TimeSpan) as "1h".
export function span(value) {
  const match = /^(?:(\d+)\.)?(\d+):(\d+):(\d+)/.exec(value ?? '');
  if (!match) return value ?? '';
  const [, days, hours, minutes, seconds] = match.map((m) => Number(m ?? 0));
  const parts = [];
  if (days) parts.push(`${days}d`);
  if (hours) parts.push(`${hours}h`);
  if (minutes) parts.push(`${minutes}m`);
  if (seconds || parts.length === 0) parts.push(`${seconds}s`);
  return parts.join(' ');
}

// Colour classes: what a word means to the person on call.
const good = new Set(['ready', 'restarted', 'healed', 'verified', 'resolved', 'closed', 'matched', 'clear', 'selected',
  'acquired', 'deleted', 'not-paused', 'recorded', 'needs-human-cleared', 'reset']);
const bad = new Set(['failed', 'needs-human', 'not-healed', 'ineffective', 'open', 'denied', 'escalated',
  'suppressed-needs-human', 'suppressed-breaker-open', 'not-ready', 'cannot-act']);
const warn = new Set(['cooldown', 'pending', 'busy', 'waiting', 'unavailable', 'suppressed-cooldown',
  'skipped-dependency-not-ready', 'skipped-signal-unavailable', 'skipped-in-progress', 'present']);
const info = new Set(['paused', 'dry-run', 'would-delete', 'suppressed-paused', 'policy-paused', 'policy-resumed',
  'policy-reset', 'breaker-closed', 'bypassed']);

export function tone(word) {
  if (good.has(word)) return 'good';
  if (bad.has(word)) return 'bad';
  if (warn.has(word)) return 'warn';
  if (info.has(word)) return 'info';
  return 'plain';
}
