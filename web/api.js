// api.js - the console's only way to the service: API v1 over fetch (the
// session cookie rides along; the page never holds a token) and the run
// events over Server-Sent Events, with polling while the stream is down.

export class ApiError extends Error {
  constructor(status, message, body) {
    super(message);
    this.status = status;
    this.body = body;
  }
}

// Calls METHOD PATH with an optional JSON body; resolves to the parsed
// answer (text for text answers), rejects with an ApiError.
export async function call(method, path, body) {
  const options = { method, credentials: 'same-origin', headers: {} };
  if (method !== 'GET') {
    // Changes go as JSON: the server refuses a cookie change that is not.
    options.headers['Content-Type'] = 'application/json';
    options.body = JSON.stringify(body ?? {});
  }
  const answer = await fetch(path, options);
  const type = answer.headers.get('Content-Type') || '';
  const parsed = type.startsWith('application/json') ? await answer.json() : await answer.text();
  if (!answer.ok) {
    const message = parsed && parsed.error ? parsed.error : `HTTP ${answer.status}`;
    throw new ApiError(answer.status, message, parsed);
  }
  return parsed;
}

export const get = (path) => call('GET', path);
export const post = (path, body) => call('POST', path, body);

// Follows the run events. ON_EVENT(kind, data) gets started, progress and
// finished; ON_POLL() is called every POLL_MS while the stream is down,
// so that the views refresh themselves instead. Returns a stop function.
export function followEvents(onEvent, onPoll) {
  const POLL_MS = 2000;
  let timer = null;
  const source = new EventSource('/api/v1/events');
  const startPolling = () => { if (!timer) timer = setInterval(onPoll, POLL_MS); };
  const stopPolling = () => { if (timer) { clearInterval(timer); timer = null; } };
  source.addEventListener('open', stopPolling);
  source.addEventListener('error', startPolling);
  for (const kind of ['started', 'progress', 'finished']) {
    source.addEventListener(kind, (e) => onEvent(kind, JSON.parse(e.data)));
  }
  source.addEventListener('missed', () => onPoll());
  return () => { stopPolling(); source.close(); };
}
