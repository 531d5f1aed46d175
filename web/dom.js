// dom.js - building the page's elements. Every text goes in through
// textContent, never as markup: error texts and log lines from the
// database or the search engine may hold any characters at all.

// el('p', {class: 'x', onclick: f}, 'text', child...) - attributes named
// on* become listeners; null and false children are left out.
export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  setAttributes(node, attributes);
  append(node, children);
  return node;
}

const SVG = 'http://www.w3.org/2000/svg';

export function svg(tag, attributes = {}, ...children) {
  const node = document.createElementNS(SVG, tag);
  setAttributes(node, attributes);
  append(node, children);
  return node;
}

function setAttributes(node, attributes) {
  for (const [name, value] of Object.entries(attributes)) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith('on')) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value === true ? '' : String(value));
  }
}

function append(node, children) {
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

// Replaces everything in NODE with CHILDREN.
export function replace(node, ...children) {
  node.replaceChildren();
  append(node, children);
  return node;
}

// A status word as a badge: succeeded, failed, running, paused...
export function badge(text, kind = text) {
  return el('span', { class: `badge badge-${kind}` }, text);
}

// Says MESSAGE in the page's status line (polite to screen readers).
export function say(message, isError = false) {
  const line = document.getElementById('message');
  line.textContent = message || '';
  line.classList.toggle('error', isError);
}
