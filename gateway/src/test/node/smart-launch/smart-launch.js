// A SMART App Launch (standalone) against PhotoBridge, driven by SMART's own client library
// (npm "fhirclient", its Node adapter) with no browser: the library discovers where to sign in from
// the FHIR base URL alone, the script signs in on the authorization server's login form as a user
// would, the library exchanges the code (PKCE) for a token and then searches /fhir with it.
//
//   node smart-launch.js <fhir base URL> <client id> <client secret or ""> <redirect URI> <username> <password> <FHIR query>
//
// Prints one JSON object on stdout; the Java test (SmartClientTest) checks it.
"use strict";
const smart = require("fhirclient");

const [iss, clientId, clientSecret, redirectUri, username, password, query] = process.argv.slice(2);

// The library's Node adapter reads the URL and a session from a request object; an app would pass
// its HTTP server's request. Here one plain object plays that role for the whole launch.
const session = {};
function request(url) {
  const u = new URL(url);
  return { url: u.pathname + u.search, headers: { host: u.host }, socket: {}, session };
}
const response = { writeHead() {}, end() {} };

function cookieHeader(jar, res) {
  for (const cookie of res.headers.getSetCookie()) {
    const [pair] = cookie.split(";");
    const eq = pair.indexOf("=");
    jar.set(pair.slice(0, eq).trim(), pair.slice(eq + 1));
  }
  return [...jar].map(([k, v]) => `${k}=${v}`).join("; ");
}

async function main() {
  const out = {};
  // 1. Discovery and the authorization request, as the library builds them.
  const authorizeUrl = await smart(request(redirectUri), response).authorize({
    iss, clientId, clientSecret: clientSecret || undefined, redirectUri, scope: "openid", noRedirect: true,
  });
  out.authorizeUrl = authorizeUrl;

  // 2. The user signs in on the authorization server's own login page.
  const jar = new Map();
  const page = await fetch(authorizeUrl, { redirect: "manual" });
  out.loginPageStatus = page.status;
  const html = await page.text();
  const action = /<form[^>]*id="kc-form-login"[^>]*action="([^"]+)"/.exec(html)
      || /<form[^>]*action="([^"]+)"[^>]*id="kc-form-login"/.exec(html);
  if (!action) {
    out.error = "no login form on the authorization page";
    return out;
  }
  const login = await fetch(action[1].replace(/&amp;/g, "&"), {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded", cookie: cookieHeader(jar, page) },
    body: new URLSearchParams({ username, password, credentialId: "" }),
  });
  const callback = login.headers.get("location");
  out.callbackReceived = Boolean(callback && callback.startsWith(redirectUri) && callback.includes("code="));
  if (!out.callbackReceived) {
    out.error = "no redirect with a code after signing in (status " + login.status + ")";
    return out;
  }

  // 3. The library exchanges the code for a token at the token endpoint it discovered.
  const client = await smart(request(callback), response).ready();
  out.tokenReceived = Boolean(client.state.tokenResponse && client.state.tokenResponse.access_token);
  out.tokenUri = client.state.tokenUri;

  // 4. ... and uses it on /fhir.
  const bundle = await client.request(query);
  out.resourceType = bundle.resourceType;
  out.total = bundle.total;
  return out;
}

main().then(
  (out) => { process.stdout.write(JSON.stringify(out) + "\n"); },
  (error) => {
    process.stdout.write(JSON.stringify({ error: String(error && error.message || error) }) + "\n");
    process.exitCode = 1;
  });
