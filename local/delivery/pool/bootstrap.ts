/**
 * How a processor's worker loads the project's code. Under ts-node (`npm start`, mocha, benches) the worker must
 * transpile the TypeScript it loads; that took ~1.9 s per start here (0.5–0.9 s with a cache), and loading
 * ts-node and TypeScript alone needs more heap than a small `memoryMb` leaves. So outputs are cached on disk by
 * file and source hash, and the main thread, whose ts-node has already transpiled every file the worker needs
 * (it loaded the same routing table), writes any missing entry before a worker starts (`warmCache`). ts-node is
 * loaded in a worker only for a file the main thread never loaded.
 *
 * A worker also loads TypeBox from one file, its pack (`./pack.ts`).
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { PACK_HOOK, PACKED_PACKAGES, packPackage, planPack, type PackRef } from "./pack";

/** The worker's entry point: installs the cache's `require` hook, then loads `workerData.entry`. */
export const BOOTSTRAP = `
const { workerData, threadId } = require("node:worker_threads");
const fs = require("node:fs");
const path = require("node:path");
const { createHash } = require("node:crypto");
if (workerData.tsNode) {
  let service;
  require.extensions[".ts"] = (module, filename) => {
    const source = fs.readFileSync(filename, "utf8");
    const hash = createHash("sha1").update(filename).update("\\0").update(source).digest("hex");
    const file = path.join(workerData.cacheDir, hash + ".js");
    let js;
    try {
      js = fs.readFileSync(file, "utf8");
    } catch {
      service ??= require(workerData.tsNode).create({ transpileOnly: true, project: workerData.tsconfig });
      js = service.compile(source, filename);
      try {
        fs.mkdirSync(workerData.cacheDir, { recursive: true });
        const tmp = file + "." + process.pid + "-" + threadId;
        fs.writeFileSync(tmp, js);
        fs.renameSync(tmp, file);
      } catch {
        // A read-only tree: the next start transpiles again.
      }
    }
    module._compile(js, filename);
  };
}
${PACK_HOOK}
require(workerData.entry);
`;

/** Project root (for the cache and tsconfig). */
const ROOT = resolve(__dirname, "..", "..", "..");

/** What `BOOTSTRAP` reads from `workerData`, besides the worker's own data. */
export interface BootData {
  entry: string;
  /** ts-node's path when this process runs under it (then the cache is used). */
  tsNode?: string;
  tsconfig: string;
  cacheDir: string;
  /** Packages the worker loads from a pack (`packPackage`), when their pack is written. */
  packs: PackRef[];
}

/** The bootstrap's data for a worker running `entry` (a path this module resolves). */
export function bootData(entry: string): BootData {
  const underTsNode = __filename.endsWith(".ts");
  const cacheDir = resolve(ROOT, "node_modules/.cache/backbone-workers");
  return {
    entry,
    tsNode: underTsNode ? require.resolve("ts-node") : undefined,
    tsconfig: resolve(ROOT, "tsconfig.json"),
    cacheDir,
    packs: PACKED_PACKAGES.flatMap((name) => {
      const pack = planPack(name, cacheDir);
      return pack ? [pack.ref] : [];
    }),
  };
}

/**
 * A TypeScript loader other than ts-node's own `register` (the specs' cached one, test/support/register.js)
 * announces itself under this symbol: its file, so a worker's options drop its `-r` as they drop ts-node's, and
 * its `compile`, which `warmCache` uses as it would ts-node's service.
 */
const LOADER = Symbol.for("backbone.ts-loader");

/** What a loader puts under `LOADER`. */
interface Loader {
  file: string;
  compile(code: string, fileName: string): string;
}

function loader(): Loader | undefined {
  return (globalThis as unknown as Record<symbol, Loader | undefined>)[LOADER];
}

/**
 * This process's Node options for a worker, without a TypeScript loader's `-r`/`--require` (workers inherit
 * `execArgv`: `npm start` would make each of them load ts-node and TypeScript, measured at ~80 MB of RSS and most
 * of its start-up per worker; the cache above makes that unnecessary).
 */
export function workerExecArgv(
  execArgv: readonly string[] = process.execArgv,
  loaderFile: string | undefined = loader()?.file,
): string[] {
  const isLoader = (value: string) =>
    value.includes("ts-node") || (loaderFile !== undefined && resolve(value) === loaderFile);
  const out: string[] = [];
  for (let i = 0; i < execArgv.length; i++) {
    const arg = execArgv[i];
    const next = execArgv[i + 1];
    if ((arg === "-r" || arg === "--require") && next !== undefined && isLoader(next)) {
      i += 1;
      continue;
    }
    const joined = /^(?:-r|--require)=(.*)$/.exec(arg);
    if (joined && isLoader(joined[1])) continue;
    out.push(arg);
  }
  return out;
}

/** ts-node's service in this process, if it registered one (`ts-node`'s `REGISTER_INSTANCE`). */
interface TsNodeService {
  compile(code: string, fileName: string): string;
}

/**
 * Writes the cache entry of the worker's entry and of every TypeScript file of the project this process has
 * loaded that the cache lacks, with this process's own compiler (ts-node's service or the announced loader,
 * already in memory), so workers find them. Cheap when the cache is warm (a read and a hash per file). Does
 * nothing outside TypeScript.
 */
export function warmCache(data: BootData): number {
  const service =
    (process as unknown as Record<symbol, TsNodeService | undefined>)[
      Symbol.for("ts-node.register.instance")
    ] ?? loader();
  let written = 0;
  for (const name of PACKED_PACKAGES) if (packPackage(name, data.cacheDir) === "written") written += 1;
  if (!data.tsNode || !service) return written;
  // The worker's entry is the one file this thread never loads itself.
  for (const filename of [data.entry, ...Object.keys(require.cache)]) {
    if (!filename.endsWith(".ts") || filename.includes("node_modules") || !filename.startsWith(ROOT))
      continue;
    try {
      const source = readFileSync(filename, "utf8");
      const hash = createHash("sha1").update(filename).update("\0").update(source).digest("hex");
      const file = join(data.cacheDir, `${hash}.js`);
      if (existsSync(file)) continue;
      mkdirSync(data.cacheDir, { recursive: true });
      const tmp = `${file}.${process.pid}-main`;
      writeFileSync(tmp, service.compile(source, filename));
      renameSync(tmp, file);
      written += 1;
    } catch {
      // A read-only tree or a file gone meanwhile: the worker transpiles it itself.
    }
  }
  return written;
}
