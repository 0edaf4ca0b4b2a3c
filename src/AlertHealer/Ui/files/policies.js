import { h, clear, byId } from './dom.js';
import { time, span, tone } from './format.js';

const badge = (word) => h('span', { class: `badge ${tone(word)}`, text: word });
const muted = (text) => h('span', { class: 'muted', text });

// GET /policies: each policy's state and the global breaker.
export function render(view) {
  renderBreaker(view.breaker);
  renderConfig(view.config);
  const body = byId('policies').tBodies[0];
  clear(body);
  for (const p of view.policies) {
    const match = Object.entries(p.match ?? {}).map(([k, v]) => `${k}=${v}`).join(', ');
    body.append(h('tr', { class: `policy status-${tone(p.status)}`, 'data-policy': p.name },
      h('td', {}, h('strong', { text: p.name }), h('span', { class: 'muted', text: ` ${p.mode}` }), h('div', { class: 'muted small', text: match })),
      h('td', {}, badge(p.status)),
      h('td', { class: p.consecutiveRestarts > 0 ? 'num warn-text' : 'num', text: `${p.consecutiveRestarts} / ${p.maxAttempts}` }),
      h('td', { class: 'nowrap', text: time(p.lastRestartAt) || '—' }),
      // Only the service's clock knows whether a cooldown is over: its status says "cooldown".
      h('td', { class: p.status === 'cooldown' ? 'nowrap warn-text' : 'nowrap muted', text: time(p.cooldownUntil) || '—' }),
      h('td', {}, p.needsHuman ? [badge('needs-human'), ' ', p.needsHumanReason ?? ''] : muted('no')),
      h('td', {}, p.paused ? [badge('paused'), ' by ', h('strong', { text: p.pausedBy ?? 'unknown' }), p.pauseReason ? `: ${p.pauseReason}` : ''] : muted('no')),
      h('td', {}, h('div', { class: 'mono', text: p.target }), p.dependency ? h('div', { class: 'mono muted small', text: `once Ready: ${p.dependency}` }) : '')));
  }
}

function renderBreaker(b) {
  const line = byId('breaker');
  clear(line);
  line.className = `breaker ${b.open ? 'bad' : 'good'}`;
  line.append(
    h('strong', { text: 'Circuit breaker ' }), h('span', { class: `badge ${b.open ? 'bad' : 'good'}`, text: b.open ? 'open' : 'closed' }),
    ` ${b.restartsInWindow} of ${b.maxRemediations} automatic restarts allowed per ${span(b.window)}`,
    b.closedAt ? muted(` · last closed ${time(b.closedAt)} by ${b.closedBy ?? 'unknown'}`) : '');
}

// Where the policies come from, their hash and load time; a refused reload says why.
function renderConfig(c) {
  const line = byId('policy-config');
  clear(line);
  if (!c) return;
  line.className = `breaker ${c.lastReloadSuccessful ? 'good' : 'bad'}`;
  line.append(
    h('strong', { text: 'Policies ' }), h('span', { class: 'mono', text: c.hash.slice(0, 12) }),
    ` from ${c.source}, loaded ${time(c.loadedAt)}`,
    ...(c.lastReloadSuccessful ? [] : [' · ', badge('reload failed'), ` ${time(c.lastReloadAt)}: `, h('span', { class: 'reload-error', text: c.lastError ?? '' })]));
}

export function reset() {
  clear(byId('policy-config'));
  clear(byId('policies').tBodies[0]);
  clear(byId('breaker'));
}
