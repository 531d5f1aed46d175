// app.js - the console's shell: who is signed in, the navigation, one
// view at a time by the address's #fragment, and the run events every
// view can follow.

import { ApiError, call, followEvents, get } from './api.js';
import { replace, say } from './dom.js';
import { showDependencies } from './graph.js';
import { showHistory } from './history.js';
import { showInstances } from './instances.js';
import { showJobs } from './jobs.js';
import { showRun } from './run_page.js';
import { showSignIn } from './signin.js';

// What the views get: whether this visitor may make changes, and how to
// report a failure (ctx.failed). They import nothing from here.
const state = {
  session: null,      // {name, role, ...} once signed in
  view: null,         // the view shown: {onEvent(kind, data), onPoll(), leave()}
  stopEvents: null,
};

const canChange = () => state.session && state.session.role === 'operator';

const ROUTES = [
  [/^#\/jobs$/, () => showJobs],
  [/^#\/dependencies$/, () => showDependencies],
  [/^#\/history$/, () => showHistory],
  [/^#\/instances$/, () => showInstances],
  [/^#\/runs\/(\d+)$/, (m) => (root, ctx) => showRun(root, ctx, Number(m[1]))],
];

// Shows the view of the address; an unknown one goes to the jobs.
async function route() {
  if (!state.session) return;
  const hash = location.hash || '#/jobs';
  let show = null;
  for (const [pattern, make] of ROUTES) {
    const m = pattern.exec(hash);
    if (m) { show = make(m); break; }
  }
  if (!show) { location.hash = '#/jobs'; return; }
  if (state.view && state.view.leave) state.view.leave();
  for (const a of document.querySelectorAll('#nav a')) {
    a.toggleAttribute('aria-current', hash.startsWith(a.getAttribute('href')));
  }
  const root = document.getElementById('view');
  replace(root);
  say('');
  try {
    state.view = await show(root, { canChange: canChange(), failed });
  } catch (e) {
    failed(e);
  }
}

// Says what went wrong; a session that ended sends back to sign in.
function failed(error) {
  if (error instanceof ApiError && error.status === 401) {
    signedOut();
    return;
  }
  say(error.message || String(error), true);
}

function signedIn(session) {
  state.session = session;
  document.getElementById('nav').hidden = false;
  document.getElementById('user').hidden = session.auth === 'none';
  document.getElementById('user-name').textContent = `${session.name} (${session.role})`;
  state.stopEvents = followEvents(
    (kind, data) => state.view && state.view.onEvent && state.view.onEvent(kind, data),
    () => state.view && state.view.onPoll && state.view.onPoll());
  route();
}

function signedOut() {
  if (state.stopEvents) state.stopEvents();
  if (state.view && state.view.leave) state.view.leave();
  state.session = state.view = state.stopEvents = null;
  document.getElementById('nav').hidden = true;
  document.getElementById('user').hidden = true;
  showSignIn(document.getElementById('view'));
}

async function start() {
  document.getElementById('sign-out').addEventListener('click', async () => {
    try { await call('DELETE', '/api/v1/session'); } catch (e) { /* signed out either way */ }
    say('Signed out.');
    signedOut();
  });
  window.addEventListener('hashchange', route);
  try {
    const session = await get('/api/v1/session');
    if (session.signedIn) signedIn(session); else signedOut();
  } catch (e) {
    say(`The service does not answer: ${e.message}`, true);
  }
}

start();
