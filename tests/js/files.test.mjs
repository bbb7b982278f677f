// Artifact previews, listings and CSV parsing (src/server/ui/assets/files.js).
import assert from "node:assert/strict";
import { test } from "node:test";

import {
  PREVIEW_LIMIT, baseName, extensionOf, parseCsv, prettyJson, previewKind, sortListing,
} from "../../src/server/ui/assets/files.js";

test("names and extensions", () => {
  assert.equal(baseName("plots/roc/curve.PNG"), "curve.PNG");
  assert.equal(baseName("MLmodel"), "MLmodel");
  assert.equal(extensionOf("curve.PNG"), "png");
  assert.equal(extensionOf("archive.tar.gz"), "gz");
  assert.equal(extensionOf("MLmodel"), "");
});

test("each kind of file has its preview", () => {
  const kind = (path, file_size) => previewKind({ path, file_size });
  assert.equal(kind("plots/roc.png"), "image");
  assert.equal(kind("a.JPEG"), "image");
  assert.equal(kind("a.svg"), "image");
  assert.equal(kind("figure.html"), "html");
  assert.equal(kind("figure.HTM"), "html");
  assert.equal(kind("metrics.json"), "json");
  assert.equal(kind("data.csv"), "csv");
  assert.equal(kind("data.tsv"), "tsv");
  assert.equal(kind("train.log"), "text");
  assert.equal(kind("model/MLmodel"), "text");
  assert.equal(kind("model/requirements.txt"), "text");
  assert.equal(kind("model/conda.yaml"), "text");
  assert.equal(kind("model/model.pkl"), "none");
  assert.equal(kind("weights"), "none");
});

test("files over the limit are not fetched, except images", () => {
  assert.equal(previewKind({ path: "big.csv", file_size: PREVIEW_LIMIT + 1 }), "large");
  assert.equal(previewKind({ path: "big.csv", file_size: PREVIEW_LIMIT }), "csv");
  assert.equal(previewKind({ path: "big.png", file_size: PREVIEW_LIMIT * 4 }), "image");
  assert.equal(PREVIEW_LIMIT, 5 * 1024 * 1024);
});

test("a listing shows folders first, then files by path", () => {
  const files = [
    { path: "b.txt", is_dir: false }, { path: "model", is_dir: true }, { path: "a.txt", is_dir: false }, { path: "logs", is_dir: true },
  ];
  assert.deepEqual(sortListing(files).map((f) => f.path), ["logs", "model", "a.txt", "b.txt"]);
});

test("JSON is indented, and anything else shown as stored", () => {
  assert.equal(prettyJson('{"a":[1,2]}'), '{\n  "a": [\n    1,\n    2\n  ]\n}');
  assert.equal(prettyJson("{broken"), "{broken");
});

test("CSV fields may be quoted, hold separators, quotes and line ends", () => {
  assert.deepEqual(parseCsv('a,b,c\n1,"x, y","say ""hi"""\n', ","), [["a", "b", "c"], ["1", "x, y", 'say "hi"']]);
  assert.deepEqual(parseCsv('h\n"two\nlines"\n', ","), [["h"], ["two\nlines"]]);
  assert.deepEqual(parseCsv("a,b\r\n1,2\r\n3,4", ","), [["a", "b"], ["1", "2"], ["3", "4"]], "CRLF, no final line end");
  assert.deepEqual(parseCsv("a\tb,c\n1\t2,3\n", "\t"), [["a", "b,c"], ["1", "2,3"]]);
  assert.deepEqual(parseCsv("a,,\n", ","), [["a", "", ""]]);
  assert.deepEqual(parseCsv("", ","), []);
});

test("CSV parsing stops after the first 1,001 rows", () => {
  const text = Array.from({ length: 5000 }, (_, i) => `${i},x`).join("\n");
  const rows = parseCsv(text, ",");
  assert.equal(rows.length, 1001);
  assert.deepEqual(rows[1000], ["1000", "x"]);
});
