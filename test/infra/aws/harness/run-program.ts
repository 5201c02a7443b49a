/**
 * Runs the Pulumi program under mocks in THIS process and answers with what it declared as one JSON document.
 *
 *   node -r ./test/support/register.js test/infra/aws/harness/run-program.ts [table-module]
 *
 * prints one run on stdout. Without a table module the real program (`index.ts`) runs; with one, `buildStack` runs
 * on the module's `routes`, or, when the module exports `program()`, that function is the program. Config comes
 * from the env var HARNESS_CONFIG (JSON object of `key: value`, project namespace implied), the stack name from
 * HARNESS_STACK.
 *
 * With `--serve` (harness/runs.ts forks it so) the process stays up and answers `{ id, options }` messages on its
 * IPC channel with `{ id, json }`, one run at a time. Each run has a new Pulumi state and loads the project's
 * modules afresh, so it declares what a run in a new process declares: checked by hand for the suite's 17 runs
 * (the same resources, outputs and logs; resources in another order of registration, which no spec reads) and
 * in run-cache.spec.ts. Pulumi, the AWS packages and TypeScript load once: of the ~3.6 s of CPU the default run
 * took in its own process, ~1.1 s went to loading modules and ~0.35 s to reading the package tree.
 *
 * Output: `{ resources: [{type, name, custom, parent, dependencies, options, inputs, id, state}], outputs,
 * secretOutputs, logs, error? }`. `options` are the resource options the engine received (retainOnDelete,
 * protect, deleteBeforeReplace), which the mocks' `newResource` never sees.
 */
import * as pulumi from "@pulumi/pulumi";
import { join, resolve, sep } from "node:path";
import { ACCOUNT, mockState, PROJECT, REGION, STACK } from "./mock-state";
import type { RunAnswer, RunOptions, RunRequest } from "./protocol";

const ROOT = join(__dirname, "..", "..", "..", "..");

/**
 * Pulumi's state (internal to the SDK, no type declaration): one store per process, `globalThis.globalStore`,
 * made on first use. Each run gets a new one, keeping only the registries the packages fill as they load, which
 * a new process would have too. Not the SDK's per-run store for inline programs (`withLocalStorage`): it runs
 * every promise through AsyncLocalStorage's hooks, measured here at +40 % of CPU for the 84-route fixture.
 */
const { LocalStore } = require("@pulumi/pulumi/runtime/state") as { LocalStore: new () => PulumiStore };
interface PulumiStore {
  resourcePackages: unknown;
  resourceModules: unknown;
}

interface Recorded {
  type: string;
  name: string;
  custom: boolean;
  parent?: string;
  /** `type::name` of every resource it waits for (explicit `dependsOn` and resources its inputs reference). */
  dependencies?: (string | undefined)[];
  /** Resource options as the engine receives them (not visible to `newResource`). */
  options?: { retainOnDelete: boolean; protect: boolean; deleteBeforeReplace: boolean };
  inputs: unknown;
  /** What the mocked provider answered (inputs plus computed ARNs, names, URLs). */
  id?: string;
  state?: unknown;
}

/** The run in progress: where its logs and any error escaping it (an unhandled rejection) go. */
let current: { logs: { severity: string; message: string }[]; escaped?: ReportedError } | undefined;

/** What every run of this process shares, set up before the first. */
function prepareProcess(): void {
  // Pulumi captures a stack trace for every promise it makes (runtime/debuggable.ts), and the TypeScript it
  // bundles raises Error.stackTraceLimit to 100 when it loads. Measured per run: ~0.7 s of CPU (of ~5) went to
  // mapping those stacks through the source maps, and the 84-route fixture took 8.9 s with 100 frames, 6.7 s with
  // Node's default 10. Neither changes what the program declares; a crash here prints 10 unmapped frames.
  process.setSourceMapsEnabled(false);
  Object.defineProperty(Error, "stackTraceLimit", {
    configurable: true,
    get: () => 10,
    // Pulumi sets it to Infinity for a moment to find a resource's source position, which is not recorded here.
    set: () => undefined,
  });
  readPackageTreeOnce();
  recordLogs();
  // A run's stray rejection is that run's failure, not the end of the process serving the others.
  process.on("unhandledRejection", (err) => {
    if (current) current.escaped ??= report(err);
    else process.stderr.write(`rejection outside a run: ${(err as Error)?.stack ?? String(err)}\n`);
  });
}

/** One run, as its JSON document. */
function runProgram(options: RunOptions): Promise<string> {
  forgetProjectModules();
  current = { logs: [] };
  const run = current;
  freshPulumiState();
  return declare(options, run).finally(() => {
    current = undefined;
  });
}

/** A new Pulumi state: config, the stack, outputs in flight, logged errors and the mock monitor are this run's. */
function freshPulumiState(): void {
  const global = globalThis as { globalStore?: PulumiStore; stackResource?: unknown };
  const store = new LocalStore();
  if (global.globalStore) {
    store.resourcePackages = global.globalStore.resourcePackages;
    store.resourceModules = global.globalStore.resourceModules;
  }
  global.globalStore = store;
  global.stackResource = undefined;
}

/** Modules of the project (the program, its table, the fixtures) load again for each run, as in a new process. */
function forgetProjectModules(): void {
  for (const path of Object.keys(require.cache)) {
    if (path.startsWith(ROOT + sep) && !path.includes(`${sep}node_modules${sep}`)) delete require.cache[path];
  }
}

async function declare(options: RunOptions, run: NonNullable<typeof current>): Promise<string> {
  const recorded = new Map<string, Recorded>();
  await pulumi.runtime.setMocks(
    {
      async newResource(args) {
        const inputs = await plain(args.inputs);
        const result = mockState(args.type, args.name, args.inputs);
        const entry = recorded.get(key(args.type, args.name)) ?? {
          type: args.type,
          name: args.name,
          custom: true,
        };
        recorded.set(key(args.type, args.name), {
          ...entry,
          custom: args.custom ?? true,
          inputs,
          id: result.id,
          state: await plain(result.state),
        });
        return result;
      },
      call(args) {
        if (args.token === "aws:index/getRegion:getRegion") {
          return { id: REGION, name: REGION, region: REGION };
        }
        if (args.token === "aws:index/getCallerIdentity:getCallerIdentity") {
          return { accountId: ACCOUNT, arn: `arn:aws:iam::${ACCOUNT}:user/test`, userId: "test" };
        }
        return args.inputs;
      },
    },
    PROJECT,
    options.stack || STACK,
    false,
  );
  recordParents(recorded);

  const config = options.config ?? {};
  pulumi.runtime.setAllConfig(
    Object.fromEntries([
      ["aws:region", REGION],
      ...Object.entries(config).map(([k, v]) => [k.includes(":") ? k : `${PROJECT}:${k}`, v]),
    ]),
  );

  let outputs: unknown;
  const secretOutputs: string[] = [];
  let error: ReportedError | undefined;
  try {
    // Required only now: the program must see the mocks (static imports would be hoisted above setMocks).
    const module = options.table ? require(resolve(ROOT, options.table)) : undefined;
    const exported: Record<string, unknown> = module
      ? typeof module.program === "function"
        ? module.program()
        : require("../../../../infra/aws").buildStack(module.routes)
      : { ...require("../../../..") };
    for (const [key, value] of Object.entries(exported)) {
      if (pulumi.Output.isInstance(value) && (await pulumi.isSecret(value))) secretOutputs.push(key);
    }
    outputs = await new Promise((done) => pulumi.output(exported).apply(done));
  } catch (err) {
    error = report(err);
  }
  // Callback serialization registers the functions late: wait for every outstanding resource.
  try {
    await pulumi.runtime.disconnect();
  } catch (err) {
    error ??= report(err);
  }
  error ??= run.escaped;
  const logs = run.logs;
  return JSON.stringify({ resources: [...recorded.values()], outputs, secretOutputs, logs, error });
}

/**
 * Pulumi reads the whole node_modules tree (@npmcli/arborist's `loadActual`) for every CallbackFunction, to find
 * the packages its archive needs. The tree cannot change during a run, so here it is read once per folder:
 * measured, the default program's run went from 3.8 s to 2.9 s and declared the same resources.
 */
function readPackageTreeOnce(): void {
  const arboristPath = require.resolve("@npmcli/arborist", { paths: [require.resolve("@pulumi/pulumi")] });
  const { Arborist } = require(arboristPath) as {
    Arborist: { prototype: { path: string; loadActual(...args: unknown[]): Promise<unknown> } };
  };
  const loadActual = Arborist.prototype.loadActual;
  const trees = new Map<string, Promise<unknown>>();
  Arborist.prototype.loadActual = function (this: { path: string }, ...args: unknown[]) {
    let tree = trees.get(this.path);
    if (!tree) {
      tree = loadActual.apply(this, args);
      trees.set(this.path, tree);
    }
    return tree;
  };
}

/** Warnings and errors the program logs through `pulumi.log` (the mocks' engine would drop them), per run. */
function recordLogs(): void {
  for (const severity of ["warn", "error"] as const) {
    const original = pulumi.log[severity];
    (pulumi.log as Record<string, unknown>)[severity] = (message: string, ...rest: unknown[]) => {
      current?.logs.push({ severity, message });
      return (original as (...args: unknown[]) => Promise<void>)(message, ...rest);
    };
  }
}

/** A failure of the program; `resourceError` tells a `pulumi.ResourceError` (fails the preview cleanly). */
interface ReportedError {
  name: string;
  message: string;
  resourceError: boolean;
}

function report(err: unknown): ReportedError {
  const e = err as Error;
  return { name: e.name, message: e.message, resourceError: pulumi.ResourceError.isInstance(err) };
}

function key(type: string, name: string): string {
  return `${type}::${name}`;
}

/** The mock API does not pass the parent; the mock monitor's requests carry its URN. */
function recordParents(recorded: Map<string, Recorded>): void {
  const monitor = pulumi.runtime.getMonitor() as unknown as {
    registerResource(req: RegisterRequest, cb: unknown): unknown;
  };
  const original = monitor.registerResource.bind(monitor);
  monitor.registerResource = (req, cb) => {
    const parent = req.getParent();
    const k = key(req.getType(), req.getName());
    recorded.set(k, {
      ...(recorded.get(k) ?? {
        type: req.getType(),
        name: req.getName(),
        custom: req.getCustom(),
        inputs: {},
      }),
      parent: parent ? urnKey(parent) : undefined,
      dependencies: req.getDependenciesList().map(urnKey),
      options: {
        retainOnDelete: req.getRetainondelete(),
        protect: req.getProtect(),
        deleteBeforeReplace: req.getDeletebeforereplace(),
      },
    });
    return original(req, cb);
  };
}

interface RegisterRequest {
  getRetainondelete(): boolean;
  getProtect(): boolean;
  getDeletebeforereplace(): boolean;
  getParent(): string;
  getType(): string;
  getName(): string;
  getCustom(): boolean;
  getDependenciesList(): string[];
}

/** `urn:pulumi:stack::project::a$b$type::name` → `type::name` (undefined for the stack itself). */
function urnKey(urn: string): string | undefined {
  const parts = urn.split("::");
  const name = parts[parts.length - 1];
  const types = parts[parts.length - 2]?.split("$") ?? [];
  const type = types[types.length - 1];
  return type === "pulumi:pulumi:Stack" ? undefined : `${type}::${name}`;
}

/** Inputs as JSON: assets and archives become `{__asset|__archive, ...}` with their content resolved. */
async function plain(value: unknown): Promise<unknown> {
  if (value instanceof Promise) return plain(await value);
  if (pulumi.asset.Asset.isInstance(value)) return asset(value as pulumi.asset.Asset);
  if (pulumi.asset.Archive.isInstance(value)) return archive(value);
  if (Array.isArray(value)) return Promise.all((value as unknown[]).map(plain));
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = await plain(v);
    return out;
  }
  return value;
}

async function asset(value: pulumi.asset.Asset): Promise<unknown> {
  const a = value as unknown as { text?: Promise<string>; path?: Promise<string>; uri?: Promise<string> };
  return { __asset: true, text: await a.text, path: await a.path, uri: await a.uri };
}

async function archive(value: pulumi.asset.Archive): Promise<unknown> {
  const a = value as unknown as { assets?: Promise<Record<string, unknown>>; path?: Promise<string> };
  const assets = await a.assets;
  if (assets) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(assets)) out[k] = await plain(v);
    return { __archive: "assets", assets: out };
  }
  return { __archive: "path", path: await a.path };
}

/** `--serve`: answers runs on the IPC channel, one at a time, until the parent goes. */
function serve(): void {
  let queue = Promise.resolve();
  process.on("message", (request: RunRequest) => {
    queue = queue.then(async () => {
      const json = await runProgram(request.options).catch(crashed);
      // Sent before the next run starts: a run keeps the event loop too busy to flush a large message.
      await new Promise((sent) => process.send!({ id: request.id, json } satisfies RunAnswer, sent));
    });
  });
  process.on("disconnect", () => process.exit(0));
}

function crashed(err: Error): string {
  return JSON.stringify({ resources: [], error: { name: err.name, message: String(err.stack) } });
}

prepareProcess();
if (process.argv[2] === "--serve") {
  serve();
} else {
  const options: RunOptions = {
    table: process.argv[2],
    config: JSON.parse(process.env.HARNESS_CONFIG ?? "{}"),
    stack: process.env.HARNESS_STACK,
  };
  runProgram(options)
    .then((json) => process.stdout.write(json + "\n"))
    .catch((err) => {
      process.stdout.write(crashed(err));
      process.exitCode = 1;
    });
}
