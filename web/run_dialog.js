// run_dialog.js - running a job by hand: with or without its dependents
// (the graph shows, in order, what will run before the operator
// confirms), a "today" to replay a day, PersonRecordStatusJob's date of
// change, then a confirmation.

import { post } from './api.js';
import { el, replace, say } from './dom.js';
import { drawGraph, orderList, willRun } from './graph.js';

export function openRunDialog(job, jobs, ctx, onStarted) {
  const withDependents = el('input', { type: 'checkbox', id: 'run-dependents', checked: job.dependents.length > 0 });
  const today = el('input', { type: 'date', id: 'run-today' });
  const dateOfChange = job.name === 'PersonRecordStatusJob'
    ? el('input', { type: 'text', id: 'run-date-of-change', placeholder: 'ANY or YYYY-MM-DD', pattern:
      '(ANY|any|\\d{4}-\\d{2}-\\d{2})' })
    : null;
  const preview = el('div', { class: 'preview' });
  const update = () => {
    const order = withDependents.checked ? willRun(jobs, job.name) : [job.name];
    replace(preview, el('p', {}, `This runs ${order.length === 1 ? 'one job' : `${order.length} jobs, in order`}:`),
      orderList(order), el('div', { class: 'graph-box' }, drawGraph(jobs, order)));
  };
  withDependents.addEventListener('change', update);

  const dialog = el('dialog', { class: 'run-dialog', 'aria-labelledby': 'run-title' });
  const close = () => { dialog.close(); dialog.remove(); };
  dialog.addEventListener('cancel', () => dialog.remove()); // Escape
  const form = el('form', { method: 'dialog' },
    el('h2', { id: 'run-title' }, `Run ${job.name}`),
    el('p', {}, withDependents, ' ', el('label', { for: 'run-dependents' }, 'With the jobs that must re-run after it')),
    el('p', {}, el('label', { for: 'run-today' }, 'Replay as if today were (optional) '), today),
    dateOfChange ? el('p', {}, el('label', { for: 'run-date-of-change' }, 'Date of change (optional) '),
      dateOfChange) : null,
    preview,
    el('div', { class: 'actions' },
      el('button', { type: 'button', onclick: close }, 'Cancel'),
      el('button', { type: 'submit', class: 'primary' }, 'Run')));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const body = { withDependents: withDependents.checked };
    if (today.value) body.today = today.value;
    if (dateOfChange && dateOfChange.value) body.dateOfChange = dateOfChange.value;
    try {
      const answer = await post(`/api/v1/jobs/${encodeURIComponent(job.name)}/runs`, body);
      say(`Queued: ${answer.runs.map((r) => `${r.job} (run #${r.id})`).join(', ')}.`);
      close();
      onStarted();
    } catch (e) {
      close();
      ctx.failed(e);
    }
  });
  dialog.append(form);
  document.body.append(dialog);
  update();
  dialog.showModal();
  withDependents.focus();
}
