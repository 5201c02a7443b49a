// `node -r ./test/support/register.js file.ts`: what `-r ts-node/register/transpile-only` does, with each file's
// output kept on disk (node_modules/.cache/ts-transpile), keyed by its path and source, so a Node process only
// loads TypeScript for a file that changed. mocha (.mocharc.json), its parallel workers and every child process
// the specs start (the Pulumi program under mocks, `local/main.ts`, the CLIs) load it.
//
// Why not ts-node alone: transpiling was most of each process's start (measured: 2.2 s of the 3.0 s it took to
// load local/app; 2.4 s of a Pulumi program run), and ts-node 10 keeps no cache. Why not a faster transpiler
// (swc, esbuild, sucrase): the serialized Lambdas are built from the functions' compiled text, so the tests
// must run exactly what TypeScript emits, which is what `pulumi up` deploys (swc and esbuild also turn
// CommonJS exports into getters, which the serialized code avoids).
//
// The output is ts-node's own (`create({ transpileOnly: true }).compile`), inline source map included, so
// stack traces still point into the .ts files (`process.setSourceMapsEnabled`).
"use strict";
const fs = require("node:fs");
const path = require("node:path");
const { createHash } = require("node:crypto");

const ROOT = path.resolve(__dirname, "..", "..");
const TSCONFIG = path.join(ROOT, "tsconfig.json");

/** One folder per compiler, ts-node and tsconfig: a change of any of them starts an empty cache. */
const CACHE_DIR = path.join(
  ROOT,
  "node_modules",
  ".cache",
  "ts-transpile",
  createHash("sha1")
    .update(fs.readFileSync(path.join(ROOT, "node_modules", "typescript", "package.json")))
    .update(fs.readFileSync(path.join(ROOT, "node_modules", "ts-node", "package.json")))
    .update(fs.readFileSync(TSCONFIG))
    .digest("hex")
    .slice(0, 16),
);

let service;
const loadJs = require.extensions[".js"];

/** Set to `read-only` by a process that must not fill the cache (a temporary copy of the project). */
const READ_ONLY = process.env.BACKBONE_TS_CACHE === "read-only";

function compile(source, filename) {
  // Keyed by the path inside the project, so a copy of it (add-event-type.spec.ts) reads this project's outputs;
  // their source maps name this project's files, which have the same text.
  const key = createHash("sha1")
    .update(path.relative(ROOT, filename))
    .update("\0")
    .update(source)
    .digest("hex");
  const file = path.join(CACHE_DIR, `${key}.js`);
  try {
    return fs.readFileSync(file, "utf8");
  } catch {
    // Not cached yet.
  }
  service ??= require("ts-node").create({ transpileOnly: true, project: TSCONFIG });
  const js = service.compile(source, filename);
  if (READ_ONLY) return js;
  try {
    fs.mkdirSync(CACHE_DIR, { recursive: true });
    // Written aside and renamed: parallel workers may compile the same file at once.
    const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}`;
    fs.writeFileSync(tmp, js);
    fs.renameSync(tmp, file);
  } catch {
    // A read-only tree: the next process compiles the file again.
  }
  return js;
}

if (!require.extensions[".ts"]) {
  require.extensions[".ts"] = function (module, filename) {
    // Like ts-node, leave node_modules alone.
    if (filename.split(path.sep).includes("node_modules")) return loadJs(module, filename);
    module._compile(compile(fs.readFileSync(filename, "utf8"), filename), filename);
  };
  process.setSourceMapsEnabled(true);
  // Announced, so a processor worker's options drop this -r and its cache is filled with this compiler
  // (local/delivery/pool/bootstrap.ts) instead of each worker loading TypeScript.
  globalThis[Symbol.for("backbone.ts-loader")] = { file: __filename, compile };
}
