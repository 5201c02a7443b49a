/**
 * The `backbone` CLI: operate the local stack or a deployed stack with the same commands (README "Operating
 * it"). `run(argv, io)` runs one command line in-process; `main.ts` is the process entry. A client of either
 * target only: it loads no Pulumi and nothing of `local/`.
 */
export { DEFAULT_URL, run, type Io } from "./run";
export { commandUsage, COMMANDS, usage } from "./args";
export { checkOutputs, ROUTE_RESOURCE_FIELDS, type RouteResources, type StackOutputs } from "./outputs";
export { EXIT_FAILED, EXIT_USAGE } from "./errors";
