// jobs.js - the Jobs view: a card per job with its schedule, next run,
// paused or not, last result, the durations of its last 30 successes, and
// while it runs a live progress bar fed by the run events. Operators also
// get its controls: run (the run dialog), pause or resume, cancel.

import { get, post } from './api.js';
import { badge, el, replace, say, svg } from './dom.js';
import { bothTimes, count, duration, eta, localTime, scheduleWords } from './format.js';
import { openRunDialog } from './run_dialog.js';

const REFRESH_AFTER_EVENT_MS = 1200; // the API reads the history at most once a second

export async function showJobs(root, ctx) {
  const view = { jobs: [], cards: new Map(), durations: new Map(), timer: null };
  const list = el('div', { class: 'cards' });
  replace(root, el('h1', {}, 'Jobs'), list);

  async function refresh() {
    try {
      const doc = await get('/api/v1/jobs');
      view.jobs = doc.jobs.filter((j) => j.available);
      view.cards.clear();
      replace(list, view.jobs.map((job) => card(job)));
    } catch (e) {
      ctx.failed(e);
    }
  }

  async function loadDurations(name) {
    try {
      const doc = await get(`/api/v1/runs?job=${encodeURIComponent(name)}&status=succeeded&limit=30`);
      view.durations.set(name, doc.runs.map((r) => r.durationSeconds).reverse());
      const c = view.cards.get(name);
      if (c) replace(c.chart, chart(name, view.durations.get(name)));
    } catch (e) {
      ctx.failed(e);
    }
  }

  function card(job) {
    const progress = el('div', { class: 'progress' });
    const chartBox = el('div', { class: 'chart' }, chart(job.name, view.durations.get(job.name) || []));
    const node = el('article', { class: 'job', id: `job-${job.name}`, 'aria-labelledby': `title-${job.name}` },
      el('header', {},
        el('h2', { id: `title-${job.name}` }, breakable(job.name)),
        job.paused ? badge('paused') : null,
        job.running ? badge('running') : job.queued ? badge('queued') : null),
      schedule(job),
      lastRun(job),
      chartBox,
      progress,
      ctx.canChange ? controls(job) : null);
    view.cards.set(job.name, { node, progress, chart: chartBox, job });
    if (job.running) showProgress(job.name, job.running.rowsDone, job.running.rowsExpected, job.running.startedAt);
    return node;
  }

  function schedule(job) {
    const words = scheduleWords(job.schedule);
    return el('dl', { class: 'facts' },
      el('dt', {}, 'Schedule'),
      el('dd', {}, words ? el('span', { class: 'words' }, `${words} (${job.timeZone})`) : null,
        el('code', { class: 'cron' }, job.schedule)),
      el('dt', {}, 'Next run'),
      el('dd', {}, job.nextRun ? bothTimes(job.nextRun) : 'none'),
      job.paused ? [el('dt', {}, 'Paused'), el('dd', {}, `by ${job.pausedBy} at ${localTime(job.pausedAt)}`)] : null);
  }

  function lastRun(job) {
    const run = job.lastRun;
    if (!run) return el('p', { class: 'last' }, 'Never run.');
    return el('div', { class: 'last' },
      el('p', {}, 'Last run ', el('a', { href: `#/runs/${run.id}` }, `#${run.id}`), ' ', badge(run.status), ' ',
        `took ${duration(run.durationSeconds)}, ${count(run.rowsWritten)} rows, ended ${localTime(run.finishedAt)}`),
      run.error ? el('p', { class: 'error-text' }, run.error) : null);
  }

  function controls(job) {
    const going = job.running || job.queued;
    return el('div', { class: 'actions' },
      el('button', { type: 'button', 'aria-label': `Run ${job.name}…`, 'data-action': 'run',
        onclick: () => openRunDialog(job, view.jobs, ctx, refreshSoon) }, 'Run…'),
      el('button', { type: 'button', 'aria-label': `${job.paused ? 'Resume' : 'Pause'} ${job.name}`,
        'data-action': job.paused ? 'resume' : 'pause', onclick: () => setPaused(job, !job.paused) },
      job.paused ? 'Resume' : 'Pause'),
      going ? el('button', { type: 'button', class: 'danger', 'aria-label': `Cancel run #${going.id} of ${job.name}`,
        'data-action': 'cancel', onclick: () => cancel(job, going) }, `Cancel #${going.id}`) : null);
  }

  async function setPaused(job, paused) {
    try {
      await post(`/api/v1/jobs/${encodeURIComponent(job.name)}/${paused ? 'pause' : 'resume'}`);
      say(`${job.name} ${paused ? 'paused: no schedule or catch-up starts it' : 'resumed'}.`);
      refreshSoon();
    } catch (e) {
      ctx.failed(e);
    }
  }

  async function cancel(job, run) {
    if (!confirm(`Cancel run #${run.id} of ${job.name}? It rolls back: its tables keep their previous contents.`)) return;
    try {
      await post(`/api/v1/runs/${run.id}/cancel`);
      say(`Run #${run.id} of ${job.name}: cancel asked.`);
      refreshSoon();
    } catch (e) {
      ctx.failed(e);
    }
  }

  function showProgress(name, done, expected, startedAt) {
    const c = view.cards.get(name);
    if (!c) return;
    const left = eta(done, expected, startedAt);
    const label = expected
      ? `${count(done)} of ${count(expected)} rows (${Math.min(100, Math.floor(100 * done / expected))}%)` +
        (left !== null ? `, about ${duration(left)} left` : '')
      : `${count(done || 0)} rows`;
    const bar = el('progress', { max: expected || 1, value: expected ? Math.min(done, expected) : null,
      'aria-label': `Progress of ${name}` });
    replace(c.progress, bar, el('span', { class: 'progress-label' }, label));
  }

  // A run that ended keeps its bar, full, until the card shows it as the last run.
  function showEnd(name, status, done) {
    const c = view.cards.get(name);
    if (!c || !c.progress.firstChild) return;
    replace(c.progress, el('progress', { max: 1, value: status === 'succeeded' ? 1 : 0,
      'aria-label': `Progress of ${name}` }), el('span', { class: 'progress-label' }, `${status}, ${count(done || 0)} rows`));
  }

  function refreshSoon() {
    clearTimeout(view.timer);
    view.timer = setTimeout(refresh, REFRESH_AFTER_EVENT_MS);
  }

  await refresh();
  for (const job of view.jobs) loadDurations(job.name);
  return {
    onEvent(kind, data) {
      const c = view.cards.get(data.job);
      if (kind === 'progress' && c) {
        const started = c.job.running ? c.job.running.startedAt : data.at;
        showProgress(data.job, data.rowsDone, data.rowsExpected, started);
      } else {
        if (kind === 'finished' && c) showEnd(data.job, data.status, data.rowsDone);
        refreshSoon();
        if (kind === 'finished') loadDurations(data.job);
      }
    },
    onPoll: refresh,
    leave() { clearTimeout(view.timer); },
  };
}

// The durations of the last successes (oldest first) as bars, with their
// range in words for screen readers.
function chart(name, seconds) {
  const W = 150, H = 32, n = seconds.length;
  if (!n) return el('p', { class: 'help' }, 'No successful run yet.');
  const top = Math.max(...seconds, 0.001);
  const w = W / 30;
  const bars = seconds.map((s, i) => svg('rect', {
    x: (i * w).toFixed(1), y: (H - H * s / top).toFixed(1), width: (w - 1).toFixed(1),
    height: Math.max(1, H * s / top).toFixed(1), class: 'bar',
  }, svg('title', {}, duration(s))));
  const summary = `Last ${n} successful runs took ${duration(Math.min(...seconds))} to ${duration(top)}`;
  return el('figure', {},
    svg('svg', { viewBox: `0 0 ${W} ${H}`, width: W, height: H, role: 'img', 'aria-label': summary }, bars),
    el('figcaption', {}, summary, ` (${name})`));
}

// A job's name with a place to break before each capital, so that a long
// name wraps between its words on a narrow screen.
function breakable(name) {
  return name.split(/(?=[A-Z])/).flatMap((part, i) => (i ? [el('wbr'), part] : [part]));
}
