// instances.js - the Instances view: every instance of the service on
// this database seen in the last day (blue and green), whether it is up
// (a heartbeat in the last 30 s), and what each is running.

import { get } from './api.js';
import { badge, el, replace } from './dom.js';
import { count, localTime } from './format.js';

export async function showInstances(root, ctx) {
  const list = el('div', { class: 'cards' });
  replace(root, el('h1', {}, 'Instances'), list);
  async function load() {
    try {
      const doc = await get('/api/v1/instances');
      replace(list, doc.instances.length ? doc.instances.map(card) : el('p', {}, 'No instance has been seen today.'));
    } catch (e) {
      ctx.failed(e);
    }
  }
  await load();
  return { onEvent: (kind) => { if (kind !== 'progress') load(); }, onPoll: load };
}

function card(inst) {
  return el('article', { class: 'instance' },
    el('header', {}, el('h2', {}, inst.instance), inst.up ? badge('up', 'succeeded') : badge('down', 'failed'),
      inst.this ? badge('this one', 'info') : null),
    el('dl', { class: 'facts' },
      el('dt', {}, 'Version'), el('dd', {}, inst.version),
      el('dt', {}, 'Listens on'), el('dd', {}, inst.httpListen || '—'),
      el('dt', {}, 'Database node'), el('dd', {}, inst.databaseNode || '—'),
      el('dt', {}, 'Started'), el('dd', {}, localTime(inst.startedAt)),
      el('dt', {}, 'Last heartbeat'), el('dd', {}, localTime(inst.lastSeenAt)),
      el('dt', {}, 'Running'),
      el('dd', {}, inst.running.length
        ? el('ul', {}, inst.running.map((r) => el('li', {}, el('a', { href: `#/runs/${r.id}` }, `#${r.id}`),
          ` ${r.job}, ${count(r.rowsDone)}${r.rowsExpected ? ` of ${count(r.rowsExpected)}` : ''} rows`)))
        : 'nothing')));
}
