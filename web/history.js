// history.js - the History view: every run, newest first, filtered by
// job, status and date, a page at a time ("Older runs" follows the API's
// keyset cursor). Each run links to its own page.

import { get } from './api.js';
import { badge, el, replace } from './dom.js';
import { count, duration, localTime } from './format.js';

const STATUSES = ['succeeded', 'failed', 'running', 'queued', 'cancelled', 'aborted', 'skipped', 'abandoned',
  'crashed'];
const PAGE = 50;

export async function showHistory(root, ctx) {
  let jobs = [];
  try {
    jobs = (await get('/api/v1/jobs')).jobs.map((j) => j.name);
  } catch (e) {
    ctx.failed(e);
    return {};
  }
  const job = el('select', { id: 'filter-job', name: 'job' }, el('option', { value: '' }, 'every job'),
    jobs.map((name) => el('option', { value: name }, name)));
  const status = el('select', { id: 'filter-status', name: 'status' }, el('option', { value: '' }, 'any status'),
    STATUSES.map((s) => el('option', { value: s }, s)));
  const since = el('input', { type: 'date', id: 'filter-since', name: 'since' });
  const rows = el('tbody', {});
  const more = el('button', { type: 'button', hidden: true }, 'Older runs');
  let cursor = null;

  async function load(append) {
    const query = new URLSearchParams({ limit: String(PAGE) });
    if (job.value) query.set('job', job.value);
    if (status.value) query.set('status', status.value);
    if (since.value) query.set('since', `${since.value}T00:00:00Z`);
    if (append && cursor) query.set('cursor', cursor);
    try {
      const page = await get(`/api/v1/runs?${query}`);
      if (!append) replace(rows);
      rows.append(...page.runs.map(row));
      if (!rows.children.length) rows.append(el('tr', {}, el('td', { colspan: 8 }, 'No run matches.')));
      cursor = page.nextCursor;
      more.hidden = !cursor;
    } catch (e) {
      ctx.failed(e);
    }
  }

  const form = el('form', { class: 'filters', onsubmit: (e) => { e.preventDefault(); load(false); } },
    el('label', { for: 'filter-job' }, 'Job '), job,
    el('label', { for: 'filter-status' }, 'Status '), status,
    el('label', { for: 'filter-since' }, 'Started since (UTC) '), since,
    el('button', { type: 'submit' }, 'Show'));
  more.addEventListener('click', () => load(true));
  replace(root, el('h1', {}, 'History'), form,
    el('div', { class: 'table-box' }, el('table', { class: 'runs' },
      el('caption', {}, 'Runs, newest first'),
      el('thead', {}, el('tr', {}, ['Run', 'Job', 'Status', 'Started by', 'Started', 'Took', 'Rows', 'Error']
        .map((h) => el('th', { scope: 'col' }, h)))),
      rows)),
    more);
  await load(false);
  return { onEvent: (kind) => { if (kind !== 'progress') load(false); }, onPoll: () => load(false) };
}

function row(run) {
  const cell = (label, content, attributes = {}) => el('td', { 'data-label': label, ...attributes }, content);
  return el('tr', {},
    cell('Run', el('a', { href: `#/runs/${run.id}` }, `#${run.id}`)),
    cell('Job', run.job),
    cell('Status', badge(run.status)),
    cell('Started by', run.startedBy || '—'),
    cell('Started', localTime(run.startedAt)),
    cell('Took', duration(run.durationSeconds)),
    cell('Rows', count(run.rowsWritten), { class: 'number' }),
    cell('Error', run.error || '', { class: 'error-text' }));
}
