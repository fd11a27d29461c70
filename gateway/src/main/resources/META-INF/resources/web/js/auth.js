// Sign-in: OAuth 2.0 authorization code flow with PKCE (S256) as the public client the gateway names
// in /web/config.json. Tokens live in this module's memory only. The PKCE verifier and state sit in
// sessionStorage across the redirect to the identity provider and are deleted before the code is
// exchanged. See docs/web.md.

const PENDING = 'photobridge.pkce';
let config = null;
let session = null; // {accessToken, refreshToken, idToken, claims, expiresAt}
let renewTimer = null;
const listeners = [];

export async function loadConfig() {
  const answer = await fetch('config.json', { cache: 'no-store' });
  if (!answer.ok) throw new Error('the sign-in settings could not be loaded (' + answer.status + ')');
  config = await answer.json();
  return config;
}

function redirectUri() {
  return location.origin + location.pathname;
}

function base64url(bytes) {
  let text = '';
  for (const b of new Uint8Array(bytes)) text += String.fromCharCode(b);
  return btoa(text).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function randomString(length) {
  return base64url(crypto.getRandomValues(new Uint8Array(length)));
}

/** Sends the browser to the identity provider; acrValues asks for a stronger sign-in (step-up). */
export async function signIn({ acrValues, returnTo } = {}) {
  const verifier = randomString(48);
  const challenge = base64url(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier)));
  const state = randomString(24);
  sessionStorage.setItem(PENDING, JSON.stringify({ state, verifier, returnTo: returnTo || location.hash || '#/',
    acrValues: acrValues || null }));
  const params = new URLSearchParams({
    response_type: 'code', client_id: config.clientId, redirect_uri: redirectUri(), scope: 'openid',
    state, code_challenge: challenge, code_challenge_method: 'S256' });
  if (acrValues) params.set('acr_values', acrValues);
  location.assign(config.authorizationEndpoint + '?' + params);
}

/** Finishes a sign-in when the identity provider sent the browser back with a code; else false. */
export async function completeSignIn() {
  const query = new URLSearchParams(location.search);
  if (!query.has('code') && !query.has('error')) {
    sessionStorage.removeItem(PENDING);
    return false;
  }
  const pending = JSON.parse(sessionStorage.getItem(PENDING) || 'null');
  sessionStorage.removeItem(PENDING);
  history.replaceState(null, '', location.pathname + (pending && pending.returnTo ? pending.returnTo : '#/'));
  if (query.has('error')) {
    throw new Error('sign-in was not completed: ' + query.get('error'));
  }
  if (!pending || pending.state !== query.get('state')) {
    throw new Error('sign-in answer does not match this browser tab; sign in again');
  }
  const answer = await fetch(config.tokenEndpoint, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'authorization_code', code: query.get('code'),
      redirect_uri: redirectUri(), client_id: config.clientId, code_verifier: pending.verifier }),
  });
  if (!answer.ok) throw new Error('the identity provider refused the sign-in code (' + answer.status + ')');
  keep(await answer.json());
  session.stepUp = pending.acrValues;
  return true;
}

function decodeClaims(jwt) {
  const part = jwt.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
  const json = decodeURIComponent(Array.from(atob(part), c => '%' + c.charCodeAt(0).toString(16).padStart(2, '0')).join(''));
  return JSON.parse(json);
}

function keep(tokens) {
  const claims = decodeClaims(tokens.access_token);
  session = {
    accessToken: tokens.access_token,
    refreshToken: tokens.refresh_token || null,
    idToken: tokens.id_token || (session && session.idToken) || null,
    claims,
    expiresAt: Date.now() + tokens.expires_in * 1000,
    stepUp: session ? session.stepUp : null,
  };
  clearTimeout(renewTimer);
  // Renew within the identity provider's session only; when it refuses, the session is over.
  const delay = Math.max(5_000, tokens.expires_in * 1000 * 0.75);
  renewTimer = setTimeout(renew, delay);
  listeners.forEach(listener => listener(session));
}

async function renew() {
  if (!session) return;
  if (session.refreshToken) {
    try {
      const answer = await fetch(config.tokenEndpoint, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: session.refreshToken,
          client_id: config.clientId }),
      });
      if (answer.ok) {
        keep(await answer.json());
        return;
      }
    } catch (e) {
      // fall through: no token, no session
    }
  }
  signOut();
}

export function current() {
  return session && Date.now() < session.expiresAt ? session : null;
}

export function roles() {
  const s = current();
  return s && s.claims.realm_access ? s.claims.realm_access.roles || [] : [];
}

/** The caller's groups as the token names them (full paths, e.g. "/dermatology"), without the slash. */
export function departments() {
  const s = current();
  return s && Array.isArray(s.claims.groups) ? s.claims.groups.map(g => g.replace(/^\//, '')) : [];
}

export function onChange(listener) {
  listeners.push(listener);
}

/** Forgets every token and ends the identity provider's session too. */
export function signOut() {
  const idToken = session && session.idToken;
  session = null;
  clearTimeout(renewTimer);
  listeners.forEach(listener => listener(null));
  const params = new URLSearchParams({ client_id: config.clientId, post_logout_redirect_uri: redirectUri() });
  if (idToken) params.set('id_token_hint', idToken);
  location.assign(config.endSessionEndpoint + '?' + params);
}
