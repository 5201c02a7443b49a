/**
 * The local stack's options: every default once and what `buildApp` accepts (`defaults.ts`), what `npm start`
 * reads from its environment and command line (`environment.ts`), and `resolveOptions` (`resolve.ts`).
 */
export { DEFAULTS, type LocalOptions } from "./defaults";
export {
  applyFlags,
  ENVIRONMENT,
  FLAGS,
  settingsFromEnv,
  StartError,
  USAGE,
  type StartSettings,
} from "./environment";
export { resolveOptions, type ResolvedOptions } from "./resolve";
