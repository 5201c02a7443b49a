/**
 * How a processor's worker died, in the words of Lambda's Node.js runtime, as each failed attempt records it
 * (`<errorType>: <errorMessage>`, the same form as a thrown error's `Error: message`). Sources:
 * - uncaught exception: the runtime interface client logs `Uncaught Exception` with the error and exits with
 *   status 129 (aws-lambda-nodejs-runtime-interface-client, `src/index.mjs`); the invocation's error is the
 *   thrown error's own type and message;
 * - unhandled rejection: error type `Runtime.UnhandledPromiseRejection`, message `String(reason)` (exit 128);
 * - `process.exit(n)`: `Runtime.ExitError`, "Runtime exited with error: exit status n" ("Runtime exited without
 *   providing a reason" for status 0);
 * - out of memory: `Runtime.OutOfMemory` (Lambda adds "signal: killed": the kernel killed the sandbox; here
 *   V8 stopped the worker at its heap limit, so the message says that instead);
 * - timeout: "Task timed out after N.NN seconds".
 */

/** What the worker reports just before it exits (a message the main thread receives before the exit). */
export type CrashReport = { kind: "uncaught"; error: string } | { kind: "rejection"; reason: string };

/** Exit statuses of Lambda's runtime after an uncaught exception and an unhandled rejection. */
export const CRASH_EXIT = { uncaught: 129, rejection: 128 } as const;

/** Why a worker stopped, as the main thread saw it. */
export type WorkerDeath =
  | CrashReport
  | { kind: "exit"; code: number }
  | { kind: "out-of-memory"; memoryMb: number }
  | { kind: "start-failed"; error: string };

/** The error text of every attempt the worker held when it died. */
export function deathText(death: WorkerDeath): string {
  switch (death.kind) {
    case "uncaught":
      return `Uncaught Exception: ${death.error}`;
    case "rejection":
      return `Runtime.UnhandledPromiseRejection: ${death.reason}`;
    case "exit":
      return death.code === 0
        ? "Runtime.ExitError: Runtime exited without providing a reason"
        : `Runtime.ExitError: Runtime exited with error: exit status ${death.code}`;
    case "out-of-memory":
      return `Runtime.OutOfMemory: Runtime exited with error: the processor reached its heap limit (memoryMb ${death.memoryMb})`;
    case "start-failed":
      return `Runtime.ExitError: the processor's worker failed to start: ${death.error}`;
  }
}

/** Lambda's message for an attempt that ran out of time. */
export function timeoutText(seconds: number): string {
  return `Task timed out after ${seconds.toFixed(2)} seconds`;
}
