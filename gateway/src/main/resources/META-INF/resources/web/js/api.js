// Calls to the gateway's bearer-token API. Every answer that is not 2xx becomes an ApiError carrying
// the problem+json (or FHIR OperationOutcome) detail; a 401 asking for a second factor (RFC 9470)
// sends the user to re-authorise with the acr_values it names.
import { current, signIn, signOut } from './auth.js';

export class ApiError extends Error {
  constructor(status, problem) {
    super(describe(status, problem));
    this.status = status;
    this.problem = problem;
  }
}

function describe(status, problem) {
  if (problem && problem.detail) return problem.detail;
  if (problem && problem.title) return problem.title;
  if (problem && problem.resourceType === 'OperationOutcome' && problem.issue) {
    return problem.issue.map(i => i.diagnostics || i.code).join('; ');
  }
  return 'the gateway answered ' + status;
}

function token() {
  const session = current();
  if (!session) {
    signOut();
    throw new ApiError(401, { detail: 'your session has ended; sign in again' });
  }
  return session.accessToken;
}

/** The acr_values of an RFC 9470 step-up challenge, or null. */
export function stepUpChallenge(header) {
  if (!header || !/error="insufficient_user_authentication"/.test(header)) return null;
  const match = /acr_values="([^"]*)"/.exec(header);
  return match ? match[1] : null;
}

async function handleRefusal(answer) {
  let problem = null;
  const type = answer.headers.get('Content-Type') || '';
  if (type.includes('json')) {
    try { problem = await answer.json(); } catch (e) { problem = null; }
  }
  const acr = answer.status === 401 ? stepUpChallenge(answer.headers.get('WWW-Authenticate')) : null;
  if (acr) {
    const session = current();
    if (!session || session.stepUp !== acr) {
      // Re-authorise once with the stronger method; after that, show the refusal.
      await signIn({ acrValues: acr, returnTo: location.hash });
      return new ApiError(401, { detail: 'a second factor is needed: continuing at the sign-in page' });
    }
    return new ApiError(401, problem || { detail: 'this photo needs a sign-in with a second factor' });
  }
  return new ApiError(answer.status, problem);
}

export async function request(method, path, { body, json, accept, headers } = {}) {
  const init = { method, headers: { Authorization: 'Bearer ' + token(), ...(headers || {}) }, cache: 'no-store' };
  if (accept) init.headers.Accept = accept;
  if (json !== undefined) {
    init.headers['Content-Type'] = init.headers['Content-Type'] || 'application/json';
    init.body = JSON.stringify(json);
  } else if (body !== undefined) {
    init.body = body;
  }
  const answer = await fetch(path, init);
  if (!answer.ok) throw await handleRefusal(answer);
  return answer;
}

export async function getJson(path, options) {
  return (await request('GET', path, options)).json();
}

export async function postJson(path, json) {
  const answer = await request('POST', path, { json });
  const type = answer.headers.get('Content-Type') || '';
  return type.includes('json') ? answer.json() : null;
}

/** Fetches an image with the token and shows it through a blob URL, revoked once it is drawn. */
export async function showImage(img, path) {
  const answer = await request('GET', path, { accept: 'image/jpeg' });
  const url = URL.createObjectURL(await answer.blob());
  await new Promise((resolve, reject) => {
    img.onload = resolve;
    img.onerror = () => reject(new Error('the image could not be shown'));
    img.src = url;
  }).finally(() => URL.revokeObjectURL(url));
}

/**
 * Uploads one photo with its metadata; onProgress(fraction) follows the bytes sent. XMLHttpRequest,
 * because fetch reports no upload progress.
 */
export function upload(file, metadata, onProgress) {
  return new Promise((resolve, reject) => {
    const form = new FormData();
    // Metadata first: the gateway checks it before the image arrives and receives a last file part
    // straight into one array of its size.
    form.append('metadata', new Blob([JSON.stringify(metadata)], { type: 'application/json' }));
    form.append('file', file, 'photo');
    const xhr = new XMLHttpRequest();
    xhr.open('POST', '/api/v1/photos');
    xhr.setRequestHeader('Authorization', 'Bearer ' + token());
    xhr.upload.onprogress = e => { if (e.lengthComputable) onProgress(e.loaded / e.total); };
    xhr.onerror = () => reject(new ApiError(0, { detail: 'the upload did not reach the gateway; retry' }));
    xhr.onload = () => {
      let body = null;
      try { body = JSON.parse(xhr.responseText); } catch (e) { body = null; }
      if (xhr.status === 200 || xhr.status === 202) {
        onProgress(1);
        resolve(body);
      } else {
        reject(new ApiError(xhr.status, body));
      }
    };
    xhr.send(form);
  });
}
