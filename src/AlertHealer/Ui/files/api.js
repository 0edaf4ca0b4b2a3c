import * as token from './token.js';

// A token that is missing, unknown (401) or of the wrong role (403): back to the sign-in.
export class AuthError extends Error {
  constructor(status) {
    super(status === 403
      ? 'This token may not read the audit log and policies (403). Use a reader or operator token.'
      : status === 401 ? 'The token was not accepted (401). It may be wrong or rotated.' : 'Sign in with a token.');
    this.status = status;
  }
}

export class ApiError extends Error {}

// GET an API path relative to the page (so a path prefix in front of the service still works).
export async function get(path, params = {}) {
  const bearer = token.current();
  if (!bearer) throw new AuthError(0);
  const url = new URL(path, document.baseURI);
  for (const [name, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== '') url.searchParams.set(name, value);
  }
  let response;
  try {
    response = await fetch(url, {
      headers: { Accept: 'application/json', Authorization: `Bearer ${bearer}` },
      credentials: 'omit',
      cache: 'no-store',
      redirect: 'error',
    });
  } catch {
    throw new ApiError('AlertHealer did not answer. Is it running, and is this the right address?');
  }
  if (response.status === 401 || response.status === 403) throw new AuthError(response.status);
  if (!response.ok) throw new ApiError(await describe(response));
  return response.json();
}

// An RFC 9457 problem as one line: title, detail and each field's errors.
async function describe(response) {
  let problem = {};
  try {
    problem = await response.json();
  } catch {
    // Not JSON: the status is all there is.
  }
  const fields = Object.entries(problem.errors ?? {}).map(([name, errors]) => `${name}: ${[].concat(errors).join(' ')}`);
  return [`${response.status} ${problem.title ?? response.statusText}`, problem.detail, ...fields].filter(Boolean).join(' — ');
}
