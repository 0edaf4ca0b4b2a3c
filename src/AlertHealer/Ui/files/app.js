import * as token from './token.js';
import * as api from './api.js';
import * as audit from './audit.js';
import * as policies from './policies.js';
import { byId, show } from './dom.js';

// First, before anything can read or log the address: take the token out of it.
token.adoptFromFragment();

const refreshEvery = 30_000;
let timer = null;

function signIn(message) {
  clearInterval(timer);
  timer = null;
  policies.reset();
  audit.reset();
  show(byId('main'), false);
  show(byId('refresh'), false);
  show(byId('sign-out'), false);
  byId('updated').textContent = '';
  const line = byId('sign-in-message');
  line.textContent = message ?? '';
  show(line, Boolean(message));
  show(byId('sign-in'), true);
  byId('token-input').focus();
}

function signOut(message) {
  token.forget();
  signIn(message);
}

async function refresh({ auditToo = true } = {}) {
  try {
    const view = await api.get('../policies');
    // Signed out while the request was under way: show nothing.
    if (!token.current()) return;
    policies.render(view);
    audit.setPolicies(view.policies.map((p) => p.name));
    if (auditToo) await audit.load();
    byId('updated').textContent = `updated ${new Date().toISOString().slice(11, 19)}Z`;
  } catch (error) {
    if (error instanceof api.AuthError) signOut(error.message);
    else audit.showError(error.message);
  }
}

function start() {
  show(byId('sign-in'), false);
  show(byId('main'), true);
  show(byId('refresh'), true);
  show(byId('sign-out'), true);
  refresh();
  clearInterval(timer);
  // A status page keeps itself current, but never moves an older page under the reader.
  timer = setInterval(() => {
    if (!document.hidden) refresh({ auditToo: audit.onFirstPage() });
  }, refreshEvery);
}

byId('sign-in-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const input = byId('token-input');
  if (input.value.trim() === '') return;
  token.remember(input.value);
  input.value = '';
  start();
});
byId('sign-out').addEventListener('click', () => signOut('Signed out.'));
byId('refresh').addEventListener('click', () => refresh());
audit.init(() => refresh());

if (token.current()) start();
else signIn();
