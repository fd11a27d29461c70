// Small DOM helpers: pages are built from elements and text nodes, never from HTML strings, so
// nothing the gateway or a user returns can become markup.

export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') node.addEventListener(name.slice(2), value);
    else if (name === 'dataset') Object.assign(node.dataset, value);
    else if (value === true) node.setAttribute(name, '');
    else node.setAttribute(name, String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

let counter = 0;
export function uid(prefix) {
  counter += 1;
  return prefix + '-' + counter;
}

/** A labelled field: label + control (+ hint), wired by id and aria-describedby. */
export function field(labelText, control, hintText) {
  if (!control.id) control.id = uid('f');
  const parts = [el('label', { for: control.id }, labelText), control];
  if (hintText) {
    const hint = el('p', { class: 'hint', id: control.id + '-hint' }, hintText);
    control.setAttribute('aria-describedby', hint.id);
    parts.push(hint);
  }
  return el('div', { class: 'field' }, parts);
}

export function say(text) {
  document.getElementById('status').textContent = text;
}

export function errorBox(error) {
  return el('p', { class: 'error', role: 'alert' }, error.message || String(error));
}

export function page(title, ...children) {
  const main = document.getElementById('main');
  main.replaceChildren(el('h1', {}, title), ...children);
  document.title = title + ' – PhotoBridge';
  return main;
}

export function formatDate(value) {
  if (!value) return '';
  const date = new Date(value);
  return isNaN(date) ? String(value) : date.toISOString().replace('T', ' ').slice(0, 16) + ' UTC';
}

/** "system|value" as the API's query parameters want it. */
export function identifierParam(system, value) {
  return encodeURIComponent(system + '|' + value);
}
