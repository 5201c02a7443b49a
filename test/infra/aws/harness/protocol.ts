/**
 * What a spec process and its program runner (run-program.ts `--serve`, forked by runs.ts) say to each other.
 */

/** Options of one run. */
export interface RunOptions {
  /**
   * Module (path from the repo root) exporting `routes` (built by `buildStack`) or `program()` (run as the
   * program); default runs `index.ts` with the real table.
   */
  table?: string;
  /** Project config values (`key: value`). */
  config?: Record<string, string>;
  /** Stack name (default `STACK`). */
  stack?: string;
  /** Run in a new process of its own instead of this process's runner (run-cache.spec.ts compares the two). */
  ownProcess?: boolean;
}

/** A request on the IPC channel (`--serve`) and its answer. */
export interface RunRequest {
  id: number;
  options: RunOptions;
}
/** The run's JSON document (run-program.ts says what it holds). */
export interface RunAnswer {
  id: number;
  json: string;
}
