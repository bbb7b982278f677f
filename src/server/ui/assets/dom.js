// Building the page: elements whose strings become text nodes (never markup), and the
// small pieces several pages share.

import { formatNumber } from "./format.js";

/** An element with properties and children; strings become text nodes, never HTML. */
export function h(tag, props, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(props || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith("on")) element.addEventListener(name.slice(2), value);
    else if (name === "class") element.className = value;
    else if (name === "checked" || name === "value" || name === "disabled" || name === "selected") element[name] = value;
    else element.setAttribute(name, value === true ? "" : String(value));
  }
  append(element, children);
  return element;
}

export function append(parent, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    parent.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return parent;
}

/** Like Element.append, but skipping null and false (so optional parts can be inline). */
export function add(parent, ...children) {
  return append(parent, children);
}

export function clear(element) {
  while (element.firstChild) element.removeChild(element.firstChild);
  return element;
}

export function errorBox(error) {
  return h("div", { class: "error", role: "alert" }, error instanceof Error ? error.message : String(error));
}

export function statusBadge(status) {
  return h("span", { class: `status ${status}` }, status);
}

export function keyValueTable(entries, emptyText) {
  if (!entries.length) return h("p", { class: "muted" }, emptyText);
  return h("table", { class: "data kv" }, h("tbody", {}, entries.map(([key, value]) =>
    h("tr", {}, h("td", { title: key }, key), h("td", { class: typeof value === "number" ? "num" : "", title: String(value) },
      typeof value === "number" || typeof value === "string" && /^(NaN|-?Infinity)$/.test(value) ? formatNumber(value) : value)))));
}
