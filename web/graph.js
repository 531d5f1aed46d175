// graph.js - the dependency table of the jobs (what must re-run after
// what) drawn as a graph, with the jobs a re-run would run highlighted and
// numbered in the order they run. It answers the legacy page's "Not sure
// what needs to be rerun?" on the page itself.

import { get } from './api.js';
import { el, replace, svg } from './dom.js';

const NODE_W = 290, NODE_H = 34, BEND_H = 10, GAP_X = 44, GAP_Y = 14, PAD = 8;

// NAME and every job that must re-run after it, in the order they run
// (JOBS is in chain order, as the API lists them).
export function willRun(jobs, name) {
  const wanted = new Set([name]);
  for (const job of jobs) { // chain order: a job's dependents come after it
    if (wanted.has(job.name)) for (const d of job.dependents) wanted.add(d);
  }
  return jobs.filter((j) => wanted.has(j.name)).map((j) => j.name);
}

// Column of each job: one after the furthest job it reads from.
function depths(jobs) {
  const byName = new Map(jobs.map((j) => [j.name, j]));
  const depth = new Map();
  const of = (name) => {
    if (!depth.has(name)) {
      const job = byName.get(name);
      const from = job ? job.readsFrom.filter((r) => byName.has(r)) : [];
      depth.set(name, from.length ? 1 + Math.max(...from.map(of)) : 0);
    }
    return depth.get(name);
  };
  jobs.forEach((j) => of(j.name));
  return depth;
}

// Where everything goes: a column per depth; an arrow that skips columns
// bends through a free slot in each column it crosses, so that it never
// runs under a job it does not touch; each column is ordered by where its
// arrows come from, so that they cross less.
function layout(jobs) {
  const depth = depths(jobs);
  const columns = [];
  const column = (c) => (columns[c] = columns[c] || []);
  const nodes = new Map();
  for (const job of jobs) {
    const node = { name: job.name, from: [] };
    nodes.set(job.name, node);
    column(depth.get(job.name)).push(node);
  }
  const edges = [];
  for (const job of jobs) {
    for (const d of job.dependents) {
      if (!nodes.has(d)) continue;
      let previous = nodes.get(job.name);
      const bends = [];
      for (let c = depth.get(job.name) + 1; c < depth.get(d); c++) {
        const bend = { name: null, from: [previous] };
        column(c).push(bend);
        bends.push(bend);
        previous = bend;
      }
      nodes.get(d).from.push(previous);
      edges.push({ from: nodes.get(job.name), to: nodes.get(d), bends });
    }
  }
  const mean = (n) => n.from.reduce((sum, f) => sum + f.row, 0) / Math.max(1, n.from.length);
  let height = 0;
  columns.forEach((items, c) => {
    if (c > 0) items.sort((a, b) => mean(a) - mean(b));
    let y = PAD;
    items.forEach((n, row) => {
      const h = n.name ? NODE_H : BEND_H;
      Object.assign(n, { row, x: PAD + c * (NODE_W + GAP_X), y, middle: y + h / 2 });
      y += h + GAP_Y;
    });
    height = Math.max(height, y - GAP_Y + PAD);
  });
  return { nodes, edges, width: PAD * 2 + columns.length * (NODE_W + GAP_X) - GAP_X, height };
}

// An arrow's path: curves between columns, straight through its bends.
function edgePath({ from, to, bends }) {
  const points = [[from.x + NODE_W, from.middle]];
  for (const b of bends) points.push([b.x, b.middle], [b.x + NODE_W, b.middle]);
  points.push([to.x - 4, to.middle]);
  let d = `M${points[0]}`;
  for (let i = 1; i < points.length; i++) {
    const [x0, y0] = points[i - 1], [x1, y1] = points[i], mid = (x0 + x1) / 2;
    d += i % 2 ? ` C${mid},${y0} ${mid},${y1} ${x1},${y1}` : ` L${x1},${y1}`;
  }
  return d;
}

// The graph as an SVG element; the jobs of ORDER (names) are highlighted
// and numbered.
export function drawGraph(jobs, order = []) {
  const { nodes, edges, width, height } = layout(jobs);
  const paths = edges.map((e) => svg('path', { d: edgePath(e), 'marker-end': 'url(#arrow)',
    class: order.includes(e.from.name) && order.includes(e.to.name) ? 'edge will-run' : 'edge' }));
  const boxes = [...nodes.values()].map((n) => {
    const step = order.indexOf(n.name);
    return svg('g', { class: step >= 0 ? 'node will-run' : 'node', transform: `translate(${n.x},${n.y})` },
      svg('rect', { width: NODE_W, height: NODE_H, rx: 6 }),
      step >= 0 ? svg('text', { x: 10, y: NODE_H / 2 + 5, class: 'step' }, String(step + 1)) : null,
      svg('text', { x: step >= 0 ? 30 : 10, y: NODE_H / 2 + 5 }, n.name));
  });
  const label = order.length
    ? `Dependency graph; will run in order: ${order.join(', ')}`
    : 'Dependency graph of the jobs: an arrow goes from a job to each job that must re-run after it';
  return svg('svg', { viewBox: `0 0 ${width} ${height}`, width, height, role: 'img', 'aria-label': label,
    class: 'graph' },
  svg('defs', {}, svg('marker', { id: 'arrow', viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7,
    markerHeight: 7, orient: 'auto-start-reverse' }, svg('path', { d: 'M0,0 L10,5 L0,10 z', class: 'arrow' }))),
  paths, boxes);
}

// The list "1. A 2. B ..." that goes with a highlighted graph.
export function orderList(order) {
  return el('ol', { class: 'will-run-list' }, order.map((name) => el('li', {}, name)));
}

// The "What to re-run" view.
export async function showDependencies(root, ctx) {
  let jobs;
  try {
    jobs = (await get('/api/v1/jobs')).jobs.filter((j) => j.available);
  } catch (e) {
    ctx.failed(e);
    return {};
  }
  const picture = el('div', { class: 'graph-box' });
  const list = el('div', {});
  const choice = el('select', { id: 'rerun-job' }, el('option', { value: '' }, '— choose a job —'),
    jobs.map((j) => el('option', { value: j.name }, j.name)));
  const show = () => {
    const order = choice.value ? willRun(jobs, choice.value) : [];
    replace(picture, drawGraph(jobs, order));
    replace(list, order.length ? [el('p', {}, `Re-running ${choice.value} with its dependents runs, in order:`),
      orderList(order)] : null);
  };
  choice.addEventListener('change', show);
  replace(root,
    el('h1', {}, 'What to re-run'),
    el('p', {}, 'After a failed night or a fix to the data, re-run the job that failed with everything that ' +
      'must follow it: an arrow goes from a job to each job that reads what it writes. Choose a job to see ' +
      'what a re-run with its dependents runs, in order.'),
    el('p', {}, el('label', { for: 'rerun-job' }, 'If I re-run '), choice),
    list, picture);
  show();
  return {};
}
