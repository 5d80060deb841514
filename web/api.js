// The host's HTTP API, with the key of this tab. Every failure becomes an
// ApiFailure whose message a person can act on.

export class ApiFailure extends Error {
  constructor(status, code, message, details) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = details || {};
  }
}

const KEY = 'switchboard.apiKey';

/// The key header when this tab signed in with a key; none with a session
/// (the browser sends its cookie to the page's own host by itself).
export function authHeaders(key = savedKey()) {
  return key ? { 'X-API-Key': key } : {};
}

export function savedKey() {
  return sessionStorage.getItem(KEY) || '';
}

export function saveKey(key) {
  if (key) sessionStorage.setItem(KEY, key);
  else sessionStorage.removeItem(KEY);
}

function unreachable() {
  return new ApiFailure(0, 'UNREACHABLE', 'Cannot reach the Switchboard host. Check your connection; the page retries on its own.');
}

async function failureFrom(response) {
  let body = null;
  try {
    body = await response.json();
  } catch {
    // not JSON: fall through to a generic message
  }
  const error = body && body.error ? body.error : {};
  if (error.code === 'INVALID_CREDENTIALS') {
    return new ApiFailure(401, error.code, 'The email or the password is wrong, or the account is disabled.');
  }
  if (response.status === 401) {
    return new ApiFailure(401, 'UNAUTHORIZED', savedKey()
      ? 'That API key was refused. Check it, or ask an admin for a new one.'
      : 'You are not signed in, or your session has ended. Sign in again.');
  }
  if (response.status === 429) {
    const wait = response.headers.get('Retry-After');
    return new ApiFailure(429, 'RATE_LIMITED', `Too many requests; try again${wait ? ` in ${wait} s` : ' shortly'}.`, error.details);
  }
  return new ApiFailure(response.status, error.code || 'HTTP_' + response.status,
    error.message || `The host answered HTTP ${response.status}.`, error.details);
}

export async function api(method, path, body, key = savedKey()) {
  const headers = { ...authHeaders(key), Accept: 'application/json' };
  const init = { method, headers };
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(path, init);
  } catch {
    throw unreachable();
  }
  if (!response.ok) throw await failureFrom(response);
  if (response.status === 204) return null;
  return response.json();
}

/// Downloads a file the API serves (a key travels in a header, so a plain
/// link cannot do it).
export async function download(path, filename) {
  let response;
  try {
    response = await fetch(path, { headers: authHeaders() });
  } catch {
    throw unreachable();
  }
  if (!response.ok) throw await failureFrom(response);
  const url = URL.createObjectURL(await response.blob());
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/// Whether `file` is an Excel workbook (by its name or type).
export function isWorkbook(file) {
  return /\.xlsx$/i.test(file.name) || file.type === XLSX_TYPE;
}

/// Uploads a CSV or .xlsx file as a new list, reporting progress (0..100). `mapping`
/// (field -> column, as the host's MAPPING_REQUIRED answer proposes) says
/// which column holds what; without it the host matches the header itself.
/// With `listId`, the rows are added to that list instead (200, numbers it
/// already has merged into their contacts). `sheet` names a workbook's sheet.
export function uploadList(file, name, onProgress, mapping = null, listId = null, sheet = '') {
  return new Promise((resolve, reject) => {
    const query = new URLSearchParams({ filename: file.name });
    if (name && !listId) query.set('name', name);
    if (mapping) query.set('mapping', JSON.stringify(mapping));
    if (sheet) query.set('sheet', sheet);
    const request = new XMLHttpRequest();
    const target = listId ? `/api/v1/contact-lists/${encodeURIComponent(listId)}/contacts` : '/api/v1/contact-lists';
    request.open('POST', target + '?' + query.toString());
    for (const [name, value] of Object.entries(authHeaders())) request.setRequestHeader(name, value);
    request.setRequestHeader('Content-Type', isWorkbook(file) ? XLSX_TYPE : 'text/csv');
    request.upload.onprogress = (event) => {
      if (event.lengthComputable) onProgress(Math.round((event.loaded / event.total) * 100));
    };
    request.onerror = () => reject(unreachable());
    request.onload = () => {
      let body = null;
      try {
        body = JSON.parse(request.responseText);
      } catch {
        // handled below
      }
      if (request.status === 201 || (listId && request.status === 200)) {
        resolve(body);
        return;
      }
      if (request.status === 401) {
        reject(new ApiFailure(401, 'UNAUTHORIZED', savedKey() ? 'That API key was refused. Sign in again.'
          : 'Your session has ended. Sign in again.'));
        return;
      }
      const error = body && body.error ? body.error : {};
      reject(new ApiFailure(request.status, error.code || 'HTTP_' + request.status,
        error.message || `The upload failed (HTTP ${request.status}).`, error.details));
    };
    request.send(file);
  });
}
