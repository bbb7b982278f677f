// The UI's modules as a whole (src/server/ui/assets/): every import names an export that
// exists, the pure helpers use no DOM, and no module writes markup.
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

const ASSETS = join(dirname(fileURLToPath(import.meta.url)), "../../src/server/ui/assets");
const PURE = ["format.js", "urls.js", "mlflow.js", "files.js", "chart-data.js"];

function moduleFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? moduleFiles(join(dir, entry.name)) : entry.name.endsWith(".js") ? [join(dir, entry.name)] : []);
}

const modules = new Map(moduleFiles(ASSETS).map((file) => [relative(ASSETS, file), readFileSync(file, "utf8")]));

/** The code without its comments (enough for these files: no comment marks inside strings). */
function code(text) {
  return text.replace(/\/\*[\s\S]*?\*\//g, "").replace(/^\s*\/\/.*$/gm, "");
}

/** `import { a, b } from "./x.js"` statements as [specifier, names]. */
function imports(text) {
  return [...text.matchAll(/^import\s*\{([^}]*)\}\s*from\s*"([^"]+)";/gm)]
    .map(([, names, specifier]) => [specifier, names.split(",").map((n) => n.trim()).filter(Boolean)]);
}

function exports(text) {
  return new Set([...text.matchAll(/^export\s+(?:async\s+)?(?:function|const|let|class)\s+([A-Za-z_$][\w$]*)/gm)].map((m) => m[1]));
}

test("every module imports only names other modules export", () => {
  assert.ok(modules.has("app.js") && modules.size > 10, [...modules.keys()].join(", "));
  for (const [name, text] of modules) {
    const statements = imports(text);
    assert.equal(statements.length, (text.match(/^import\b/gm) || []).length, `${name}: every import is of the form import { ... } from "..."`);
    for (const [specifier, names] of statements) {
      assert.match(specifier, /^\.\.?\/.*\.js$/, `${name} imports ${specifier}: only relative .js modules (the server versions them)`);
      const target = join(dirname(name), specifier);
      assert.ok(modules.has(target), `${name} imports ${specifier}, which is not a module`);
      const exported = exports(modules.get(target));
      for (const imported of names) assert.ok(exported.has(imported), `${name} imports ${imported} from ${target}, which does not export it`);
    }
  }
});

test("the pure helpers touch no DOM, network or plotly.js, and import only each other", () => {
  const globals = /\b(document|window|location|navigator|fetch|Plotly|localStorage|setInterval|setTimeout|HTMLElement|Node|Event)\b/;
  for (const name of PURE) {
    const text = modules.get(name);
    assert.ok(text, name);
    const found = code(text).match(globals);
    assert.equal(found, null, `${name} uses ${found && found[0]}`);
    for (const [specifier] of imports(text)) assert.ok(PURE.includes(join(dirname(name), specifier)), `${name} imports ${specifier}`);
  }
});

test("no module parses stored text as markup", () => {
  for (const [name, text] of modules) {
    for (const sink of ["innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function"]) {
      assert.ok(!text.includes(sink), `${name} uses ${sink}`);
    }
  }
  assert.ok(modules.get("dom.js").includes("createTextNode"), "strings become text nodes");
});
