// run_page.js - one run: what it was, who started it and where, how it
// ended, and its log lines (the run's own, from whichever instance ran
// it), followed live while it runs. Operators may cancel it while it is
// queued or running.

import { get, post } from './api.js';
import { badge, el, replace, say } from './dom.js';
import { bothTimes, count, duration } from './format.js';

const LIVE_MS = 2000;

export async function showRun(root, ctx, id) {
  const facts = el('dl', { class: 'facts run-facts' });
  const errorBox = el('div', {});
  const log = el('pre', { class: 'log', tabindex: 0, 'aria-label': `Log of run ${id}` });
  const actions = el('div', { class: 'actions' });
  let timer = null;

  async function load() {
    let run;
    try {
      [run] = await Promise.all([get(`/api/v1/runs/${id}`), loadLog()]);
    } catch (e) {
      ctx.failed(e);
      return;
    }
    render(run);
    const going = run.status === 'running' || run.status === 'queued';
    clearTimeout(timer);
    if (going) timer = setTimeout(load, LIVE_MS);
  }

  async function loadLog() {
    const text = await get(`/api/v1/runs/${id}/log`);
    const atEnd = log.scrollTop + log.clientHeight >= log.scrollHeight - 4;
    log.textContent = text || '(no log lines yet)';
    if (atEnd) log.scrollTop = log.scrollHeight;
  }

  function render(run) {
    const fact = (name, value) => [el('dt', {}, name), el('dd', {}, value)];
    replace(facts,
      fact('Job', run.job),
      fact('Status', badge(run.status)),
      fact('Started by', `${run.startedBy || '—'} (trigger ${run.trigger})`),
      fact('Instance', run.instance || '—'),
      fact('Started', bothTimes(run.startedAt)),
      fact('Finished', bothTimes(run.finishedAt)),
      fact('Took', duration(run.durationSeconds)),
      fact('Rows written', count(run.rowsWritten)),
      run.status === 'running' ? fact('Progress', `${count(run.rowsDone)}${run.rowsExpected ? ` of ${count(
        run.rowsExpected)}` : ''} rows`) : null,
      run.today ? fact('Today', run.today) : null,
      run.argument ? fact('Date of change', run.argument) : null,
      run.tcsSchema ? fact('TCS schema', run.tcsSchema) : null,
      run.cancelRequestedBy ? fact('Cancel asked by', run.cancelRequestedBy) : null);
    replace(errorBox, run.error ? [el('h2', {}, 'Error'), el('pre', { class: 'error-text' }, run.error)] : null);
    const going = run.status === 'running' || run.status === 'queued';
    replace(actions, ctx.canChange && going ? el('button', { type: 'button', class: 'danger', onclick: cancel },
      `Cancel run #${id}`) : null);
  }

  async function cancel() {
    if (!confirm(`Cancel run #${id}? It rolls back: its tables keep their previous contents.`)) return;
    try {
      await post(`/api/v1/runs/${id}/cancel`);
      say(`Run #${id}: cancel asked.`);
      load();
    } catch (e) {
      ctx.failed(e);
    }
  }

  replace(root, el('p', {}, el('a', { href: '#/history' }, '← History')), el('h1', {}, `Run #${id}`), facts,
    actions, errorBox, el('h2', {}, 'Log'), log);
  await load();
  return {
    onEvent: (kind, data) => { if (data.runId === id && kind !== 'progress') load(); },
    leave: () => clearTimeout(timer),
  };
}
