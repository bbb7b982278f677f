// The hash router: draws the page the location's hash names into #app, marks the top
// bar's section, and lets a newer navigation make older, slower loads give up.

import { add, clear, errorBox, h } from "./dom.js";
import { hashFor, matchRoute, navSection, parseHash } from "./urls.js";

const app = document.getElementById("app");

/** The page functions by route name, `(view, args, params, current) => Promise`. */
let pages = {};
let renderCount = 0;

/** Draw the page the hash names. A newer navigation makes older, slower loads give up. */
export async function render() {
  const { path, params } = parseHash(location.hash);
  const ticket = ++renderCount;
  for (const link of document.querySelectorAll("[data-nav]")) {
    link.classList.toggle("active", link.dataset.nav === navSection(path));
  }
  const view = h("div", {});
  const current = () => ticket === renderCount;
  const route = matchRoute(path);
  if (!route) {
    clear(app).append(h("h1", {}, "Not found"), h("p", {}, h("a", { href: "#/" }, "Back to the experiments")));
    return;
  }
  clear(app).append(view);
  try {
    await pages[route.name](view, route.args.map(decodeURIComponent), params, current);
  } catch (error) {
    if (current()) add(view, errorBox(error));
  }
}

export function navigate(path, params) {
  location.hash = hashFor(path, params);
}

/** Draw the current page with `table`'s page functions, and every page navigated to next. */
export function startRouter(table) {
  pages = table;
  window.addEventListener("hashchange", render);
  render();
}
