/**
 * The architecture's import rules, checked by `npm run lint` (`depcruise`). Arrows run one way: down to the
 * pattern engine and the processor contract. Type-only imports count (`tsPreCompilationDeps`), since a type
 * cycle is still a design cycle. The depth limit of `local/` is checked beside it (`test/support/layers.ts`).
 * `test/architecture.spec.ts` shows each rule rejecting a deliberate violation.
 */

/** Folders whose files others reach only through the folder's `index.ts`. */
const FACES = [
  "infra/pattern",
  "infra/table",
  "infra/aws",
  "infra/client",
  "infra/cli",
  "processors/runtime",
  "local/http",
  "local/eventbridge",
  "local/delivery",
  "local/store",
  "local/scenarios",
  "local/options",
];

/** A forbidden import: `from` modules may not import `to` modules (path regexes, relative to the root). */
const forbid = (name, comment, from, to) => ({ name, comment, severity: "error", from, to });

module.exports = {
  forbidden: [
    forbid("no-cycle", "No import cycle anywhere, type-only imports included.", {}, { circular: true }),
    forbid(
      "pattern-is-pure",
      "infra/pattern (the EventBridge pattern engine) imports nothing else of the project.",
      { path: "^infra/pattern/" },
      { path: "^(index\\.ts$|infra/(?!pattern/)|processors/|local/|test/)" },
    ),
    forbid(
      "runtime-is-pure",
      "processors/runtime (the processor contract) imports nothing else of the project.",
      { path: "^processors/runtime/" },
      { path: "^(index\\.ts$|infra/|local/|test/|processors/(?!runtime/))" },
    ),
    forbid(
      "processors-below-infra-and-local",
      "Processors are business rules: they never import infra/ or local/.",
      { path: "^processors/" },
      { path: "^(infra|local)/" },
    ),
    forbid(
      "infra-never-imports-local",
      "The cloud side knows nothing of the local stack.",
      { path: "^infra/" },
      { path: "^local/" },
    ),
    forbid(
      "delivery-and-store-below-http",
      "The delivery loop and the store know nothing of HTTP.",
      { path: "^local/(delivery|store)/" },
      { path: "^local/http/" },
    ),
    forbid(
      "pulumi-only-in-infra-aws",
      "Only the Pulumi components (and the program at the root) load @pulumi/*.",
      { path: "^(processors|local|infra/(table|pattern|client|catalog|cli)|infra/routes\\.ts)" },
      { path: "node_modules/@pulumi/" },
    ),
    ...FACES.map((folder) =>
      forbid(
        `through-the-face:${folder}`,
        `Outside ${folder}/, import it through ${folder}/index.ts.`,
        { path: "^(index\\.ts|infra|processors|local)", pathNot: `^${folder}/` },
        { path: `^${folder}/`, pathNot: `^${folder}/index\\.ts$` },
      ),
    ),
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "^(node_modules|bin|\\.data)/" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    moduleSystems: ["cjs", "es6"],
  },
};
