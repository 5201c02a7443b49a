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
  "processors/runtime",
  "local/http",
  "local/eventbridge",
  "local/delivery",
  "local/store",
  "local/scenarios",
];

module.exports = {
  forbidden: [
    {
      name: "no-cycle",
      comment: "No import cycle anywhere, type-only imports included.",
      severity: "error",
      from: {},
      to: { circular: true },
    },
    {
      name: "pattern-is-pure",
      comment: "infra/pattern (the EventBridge pattern engine) imports nothing else of the project.",
      severity: "error",
      from: { path: "^infra/pattern/" },
      to: { path: "^(index\\.ts$|infra/(?!pattern/)|processors/|local/|test/)" },
    },
    {
      name: "runtime-is-pure",
      comment: "processors/runtime (the processor contract) imports nothing else of the project.",
      severity: "error",
      from: { path: "^processors/runtime/" },
      to: { path: "^(index\\.ts$|infra/|local/|test/|processors/(?!runtime/))" },
    },
    {
      name: "processors-below-infra-and-local",
      comment: "Processors are business rules: they never import infra/ or local/.",
      severity: "error",
      from: { path: "^processors/" },
      to: { path: "^(infra|local)/" },
    },
    {
      name: "infra-never-imports-local",
      severity: "error",
      from: { path: "^infra/" },
      to: { path: "^local/" },
    },
    {
      name: "delivery-and-store-below-http",
      comment: "The delivery loop and the store know nothing of HTTP.",
      severity: "error",
      from: { path: "^local/(delivery|store)/" },
      to: { path: "^local/http/" },
    },
    {
      name: "pulumi-only-in-infra-aws",
      comment: "Only the Pulumi components (and the program at the root) load @pulumi/*.",
      severity: "error",
      from: { path: "^(processors|local|infra/(table|pattern)|infra/routes\\.ts)" },
      to: { path: "node_modules/@pulumi/" },
    },
    ...FACES.map((folder) => ({
      name: `through-the-face:${folder}`,
      comment: `Outside ${folder}/, import it through ${folder}/index.ts.`,
      severity: "error",
      from: { path: "^(index\\.ts|infra|processors|local)", pathNot: `^${folder}/` },
      to: { path: `^${folder}/`, pathNot: `^${folder}/index\\.ts$` },
    })),
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "^(node_modules|bin|\\.data)/" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    moduleSystems: ["cjs", "es6"],
  },
};
