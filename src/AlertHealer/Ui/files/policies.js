import { h, clear, byId } from './dom.js';
import { time, span, tone } from './format.js';

const badge = (word) => h('span', { class: `badge ${tone(word)}`, text: word });
const muted = (text) => h('span', { class: 'muted', text });

// GET /policies: each policy's state and the global breaker.
export function render(view) {
  renderBreaker(view.breaker);
  renderDetection(view.detection);
  renderConfig(view.config);
  const body = byId('policies').tBodies[0];
  clear(body);
  for (const p of view.policies) {
    const match = Object.entries(p.match ?? {}).map(([k, v]) => `${k}=${v}`).join(', ');
    body.append(h('tr', { class: `policy status-${tone(p.status)}`, 'data-policy': p.name },
      h('td', {}, h('strong', { text: p.name }), h('span', { class: 'muted', text: ` ${p.mode}` }), h('div', { class: 'muted small', text: match })),
      h('td', {}, badge(p.status), preflight(p.preflight)),
      h('td', { class: p.consecutiveRestarts > 0 ? 'num warn-text' : 'num', text: `${p.consecutiveRestarts} / ${p.maxAttempts}` }),
      h('td', { class: 'nowrap', text: time(p.lastRestartAt) || '—' }),
      // Only the service's clock knows whether a cooldown is over: its status says "cooldown".
      h('td', { class: p.status === 'cooldown' ? 'nowrap warn-text' : 'nowrap muted', text: time(p.cooldownUntil) || '—' }),
      h('td', {}, p.needsHuman ? [badge('needs-human'), ' ', p.needsHumanReason ?? ''] : muted('no')),
      h('td', {}, p.paused ? [badge('paused'), ' by ', h('strong', { text: p.pausedBy ?? 'unknown' }), p.pauseReason ? `: ${p.pauseReason}` : ''] : muted('no')),
      h('td', {}, h('div', { class: 'mono', text: p.target }), p.dependency ? h('div', { class: 'mono muted small', text: `once Ready: ${p.dependency}` }) : '')));
  }
}

// Why the last preflight says the policy cannot act: one line per failed check.
function preflight(run) {
  if (!run || run.failed.length === 0) return '';
  return h('ul', { class: 'preflight small', 'data-preflight': run.state },
    ...run.failed.map((c) => h('li', {}, h('span', { class: 'mono', text: c.check }), `: ${c.reason}`)),
    h('li', { class: 'muted', text: `checked ${time(run.checkedAt)}` }));
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

// The detection path's heartbeat: a line under the breaker, and a banner over the page while
// it is stale or has never arrived (wedge alerts would not arrive either). Ages are the
// service's, not this browser's clock.
function renderDetection(d) {
  const line = byId('detection');
  const banner = byId('detection-banner');
  clear(line);
  clear(banner);
  if (!d) {
    banner.hidden = true;
    return;
  }
  const healthy = d.status === 'ok';
  line.className = `breaker ${healthy ? 'good' : 'bad'}`;
  line.dataset.status = d.status;
  line.append(h('span', { class: `badge ${healthy ? 'good' : 'bad'}`, text: d.status }), ' ', d.summary,
    d.sender ? muted(` · from ${d.sender}${d.ruleGroup ? `, rule group ${d.ruleGroup}` : ''}`) : '',
    muted(` · stale after ${span(d.staleAfter)}`));
  banner.hidden = healthy;
  if (!healthy) {
    banner.append(h('strong', { text: d.status === 'never' ? 'No detection heartbeat has ever arrived. ' : 'Detection path stale: ' }),
      d.status === 'never' ? '' : `last heartbeat ${d.ageSeconds} s ago, limit ${span(d.staleAfter)}. `,
      'Wedge alerts would not reach AlertHealer either: check the Loki ruler, Alertmanager and its route to the webhook.');
  }
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
  clear(byId('detection'));
  clear(byId('detection-banner'));
  byId('detection-banner').hidden = true;
}
