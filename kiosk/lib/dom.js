/**
 * Tiny DOM helpers. Text always goes in as text nodes, never as HTML, so names and questions
 * typed by people cannot inject markup.
 */

/**
 * Create an element.
 * `attrs`: `class`, `text`, `dataset`/`data-*`, `testid` (→ data-testid), `on<Event>` handlers,
 * boolean properties (`hidden`, `disabled`, `checked`, …) and plain attributes.
 * Children: nodes, strings, numbers, arrays of those; null/undefined/false are skipped.
 * @returns {HTMLElement}
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name === "class") el.className = Array.isArray(value) ? value.filter(Boolean).join(" ") : value;
    else if (name === "text") el.textContent = String(value);
    else if (name === "testid") el.dataset.testid = value;
    else if (name === "dataset") Object.assign(el.dataset, value);
    else if (name === "style" && typeof value === "object") Object.assign(el.style, value);
    else if (name.startsWith("on") && typeof value === "function") {
      el.addEventListener(name.slice(2).toLowerCase(), value);
    } else if (value === true) {
      if (name in el) el[name] = true;
      el.setAttribute(name, "");
    } else if (name in el && !name.includes("-") && name !== "list" && name !== "form") {
      el[name] = value;
    } else {
      el.setAttribute(name, String(value));
    }
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(el, child);
    else if (child instanceof Node) el.appendChild(child);
    else el.appendChild(document.createTextNode(String(child)));
  }
}

/** Replace all children of `el`. */
export function replace(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

/** `document.querySelector` that throws a clear error when a page is missing a slot. */
export function $(selector, root = document) {
  const el = root.querySelector(selector);
  if (!el) throw new Error(`missing element ${selector}`);
  return el;
}

/** Show or hide an element. */
export function show(el, visible) {
  el.hidden = !visible;
}
