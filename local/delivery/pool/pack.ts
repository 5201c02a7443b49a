/**
 * Packs: a package's CommonJS modules in one file, for the processors' workers. Every processor's schema is built
 * with TypeBox, whose CommonJS build is 266 small modules; finding and reading them one by one was ~60 ms of each
 * worker's ~280 ms start here (measured 2026-12-07, six workers: 1.2–1.6 s of CPU, 0.8–1.0 s with the pack).
 * Written here rather than with a bundler: a pack keeps each module's code byte for byte, inside the function
 * Node itself wraps a module in, where bundlers rewrite modules (esbuild turns CommonJS exports into getters), and
 * it needs no native binary. The main thread writes a pack (`warmCache`); `PACK_HOOK`, part of the worker's
 * bootstrap, serves the package's `require`s from it.
 */
import { createHash } from "node:crypto";
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { dirname, join, posix, relative, sep } from "node:path";

/** Packages a worker loads from a pack: TypeBox alone, the one measured to matter. */
export const PACKED_PACKAGES = ["@sinclair/typebox"];

/** Where a package's pack is and which of its modules each entry point (`"."`, `"./compiler"`) is. */
export interface PackRef {
  name: string;
  file: string;
  entries: Record<string, string>;
}

/**
 * The worker bootstrap's part (plain JavaScript, `workerData.packs` of `PackRef`s): every entry point of a packed
 * package comes from its pack's one module map, so the package stays one copy. A pack that cannot be read (a
 * read-only tree never wrote it) leaves the package to Node, all of it.
 */
export const PACK_HOOK = `if (workerData.packs && workerData.packs.length > 0) {
  const Module = require("node:module");
  const plain = Module.prototype.require;
  const loaded = new Map();
  Module.prototype.require = function (id) {
    if (typeof id === "string") for (const pack of workerData.packs) {
      if (id !== pack.name && !id.startsWith(pack.name + "/")) continue;
      const entry = pack.entries["." + id.slice(pack.name.length)];
      if (entry === undefined) break;
      if (!loaded.has(pack.file)) {
        let modules = null;
        try {
          modules = plain.call(this, pack.file);
        } catch {}
        loaded.set(pack.file, modules);
      }
      const modules = loaded.get(pack.file);
      if (modules) return modules.load(entry);
      break;
    }
    return plain.call(this, id);
  };
}
`;

/** A package's pack as planned: its reference for workers, the module folder it covers and that folder's files. */
export interface PackPlan {
  ref: PackRef;
  base: string;
  /** Every `.js` file under `base`, sorted: what the pack holds and what its name is a hash of. */
  files: string[];
}

/** Requires a module of a pack makes: only relative ones can be served from the pack itself. */
const REQUIRE_CALL = /\brequire\(\s*(["'])(.*?)\1\s*\)/g;
/** A `require` of something other than a string literal: what it loads cannot be known, so no pack. */
const DYNAMIC_REQUIRE = /\brequire\(\s*(?!["'])/;

/**
 * Where `name`'s pack goes (named by its folder, version and files, so any change writes a new one) and what its
 * entry points are: each `require` target of its `exports` map, all in one folder. `undefined` when the package
 * cannot be resolved or its entry points are not plain CommonJS files of one folder. `paths`: where to resolve
 * it from (default: this module's own resolution).
 */
export function planPack(name: string, cacheDir: string, paths?: string[]): PackPlan | undefined {
  const key = `${name}\0${cacheDir}\0${paths?.join("\0") ?? ""}`;
  if (!PLANS.has(key)) PLANS.set(key, planPackNow(name, cacheDir, paths));
  return PLANS.get(key);
}

/** `planPack`'s answers in this process (a worker start asks; the answer only changes with node_modules). */
const PLANS = new Map<string, PackPlan | undefined>();

/** `planPack` without this process's memory of its answers: looks at the package's files again. */
export function planPackNow(name: string, cacheDir: string, paths?: string[]): PackPlan | undefined {
  const found = manifestOf(name, paths);
  if (!found) return undefined;
  const { root, manifest } = found;
  const targets: [string, string][] = [];
  for (const [key, target] of Object.entries(manifest.exports ?? {})) {
    const file = requireTarget(target);
    if (key === "./package.json") continue;
    if (file === undefined || !file.endsWith(".js")) return undefined;
    targets.push([key, file]);
  }
  if (targets.length === 0) return undefined;
  const base = commonFolder(targets.map(([, file]) => posix.dirname(file)));
  const entries = Object.fromEntries(targets.map(([key, file]) => [key, posix.relative(base, file)]));
  const folder = join(root, base);
  // Named by what it packs: a package changed in place (a patch, a reinstall) gets a new pack, not a stale one.
  const hash = createHash("sha1").update(root).update("\0").update(String(manifest.version));
  let files: string[];
  try {
    files = jsFiles(folder);
    for (const file of files) {
      const { size, mtimeMs } = statSync(file);
      hash.update(`\0${file}\0${size}\0${mtimeMs}`);
    }
  } catch {
    return undefined;
  }
  const digest = hash.digest("hex").slice(0, 12);
  const file = join(cacheDir, `pack-${name.replace(/[^A-Za-z0-9.-]/g, "_")}-${digest}.js`);
  return { ref: { name, file, entries }, base: folder, files };
}

/** The package's folder and `package.json`, found above its main module (its `exports` may not list the file). */
function manifestOf(
  name: string,
  paths?: string[],
):
  | { root: string; manifest: { name?: string; version?: string; exports?: Record<string, unknown> } }
  | undefined {
  let dir: string;
  try {
    dir = dirname(require.resolve(name, paths ? { paths } : undefined));
  } catch {
    return undefined;
  }
  for (;;) {
    try {
      const manifest = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { name?: string };
      if (manifest.name === name) return { root: dir, manifest };
    } catch {
      // No manifest here: keep climbing.
    }
    const up = dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
}

/** The file an `exports` target gives `require` (its `require` or `default` condition, nested or not). */
function requireTarget(target: unknown): string | undefined {
  if (typeof target === "string") return posix.normalize(target);
  if (target === null || typeof target !== "object") return undefined;
  const conditions = target as Record<string, unknown>;
  return requireTarget(conditions.require ?? conditions.node ?? conditions.default);
}

/** The deepest folder all of `folders` (package-relative, `/`-separated) are in; `.` when they share none. */
function commonFolder(folders: string[]): string {
  const [first, ...rest] = folders.map((f) => f.split("/"));
  let n = first.length;
  for (const parts of rest) {
    let i = 0;
    while (i < n && i < parts.length && parts[i] === first[i]) i += 1;
    n = i;
  }
  return n === 0 ? "." : first.slice(0, n).join("/");
}

/**
 * Writes `name`'s pack if it is missing: every `.js` module under its entry points' folder, each module's code
 * unchanged inside the function Node itself wraps it in, and a `load(entry)` that resolves relative requires
 * within the pack as Node would (`./x` is `x.js` or `x/index.js`). A package that requires anything outside
 * itself is not packed. Returns what happened; a failure only means workers load the package as Node does.
 */
export function packPackage(
  name: string,
  cacheDir: string,
  paths?: string[],
): "written" | "present" | "not packable" {
  const plan = planPack(name, cacheDir, paths);
  if (!plan) return "not packable";
  if (existsSync(plan.ref.file)) return "present";
  const modules: string[] = [];
  for (const file of plan.files) {
    const code = readFileSync(file, "utf8");
    if (DYNAMIC_REQUIRE.test(code)) return "not packable";
    for (const [, , request] of code.matchAll(REQUIRE_CALL))
      if (!request.startsWith(".")) return "not packable";
    const id = relative(plan.base, file).split(sep).join("/");
    modules.push(
      `${JSON.stringify(id)}: function (exports, require, module, __filename, __dirname) {${code}\n}`,
    );
  }
  // Not in strict mode itself: each module's own "use strict" (or its absence) decides, as under Node.
  const source = `// ${name}: ${plan.base}, one pack for the processors' workers (local/delivery/pool/bootstrap.ts).
const base = ${JSON.stringify(plan.base)};
const path = require("node:path").posix;
const modules = {
${modules.join(",\n")}
};
const cache = Object.create(null);
function load(id) {
  const cached = cache[id];
  if (cached) return cached.exports;
  const module = { exports: {}, id };
  cache[id] = module;
  const dir = path.dirname(id);
  const within = (request) => {
    const target = path.join(dir, request);
    for (const candidate of [target, target + ".js", target + "/index.js"]) {
      if (Object.prototype.hasOwnProperty.call(modules, candidate)) return load(candidate);
    }
    throw new Error("Cannot find module '" + request + "' in the pack of ${name} (from " + id + ")");
  };
  modules[id].call(module.exports, module.exports, within, module, base + "/" + id, base + "/" + dir);
  return module.exports;
}
exports.load = load;
`;
  try {
    mkdirSync(cacheDir, { recursive: true });
    const tmp = `${plan.ref.file}.${process.pid}-main`;
    writeFileSync(tmp, source);
    renameSync(tmp, plan.ref.file);
    return "written";
  } catch {
    return "not packable";
  }
}

/** Every `.js` file under `folder`, sorted. */
function jsFiles(folder: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) out.push(...jsFiles(path));
    else if (entry.name.endsWith(".js")) out.push(path);
  }
  return out.sort();
}
