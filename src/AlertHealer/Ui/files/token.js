// The reader token: taken from the address (#token=…) once and removed from it, kept in this
// tab's session storage, and sent only as an Authorization header (see api.js).
const key = 'alerthealer.token';

export function adoptFromFragment() {
  const parts = location.hash.replace(/^#/, '').split('&').filter((p) => p !== '');
  const found = parts.find((p) => p.startsWith('token='));
  if (found === undefined) return;
  const rest = parts.filter((p) => !p.startsWith('token='));
  // Out of the address bar and the history entry before anything else happens.
  history.replaceState(history.state, '', location.pathname + location.search + (rest.length ? `#${rest.join('&')}` : ''));
  let value = '';
  try {
    value = decodeURIComponent(found.slice('token='.length)).trim();
  } catch {
    return;
  }
  if (value !== '') sessionStorage.setItem(key, value);
}

export const current = () => sessionStorage.getItem(key);

export function remember(value) {
  sessionStorage.setItem(key, value.trim());
}

export function forget() {
  sessionStorage.clear();
}
