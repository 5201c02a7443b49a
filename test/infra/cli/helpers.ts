/**
 * Running the CLI in-process for specs: `cli(argv)` captures stdout, stderr and the exit code; `startCli` runs
 * a command that goes on (`events tail`, a watched replay) until the spec aborts it.
 */
import { run, type Io } from "../../../infra/cli";

/** A stream stand-in that keeps what is written; `isTTY` makes it a terminal. */
export class Capture {
  text = "";
  constructor(readonly isTTY = false) {}
  write(chunk: string): boolean {
    this.text += chunk;
    return true;
  }
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs one command line to its end. */
export async function cli(
  argv: readonly string[],
  io: Partial<Io> & { tty?: boolean } = {},
): Promise<CliResult> {
  const stdout = new Capture(io.tty);
  const stderr = new Capture();
  const code = await run(argv, { pollMs: 20, env: {}, ...io, stdout, stderr });
  return { code, stdout: stdout.text, stderr: stderr.text };
}

/** A command running until `stop()` (its Ctrl-C). */
export interface RunningCli {
  stdout: Capture;
  stderr: Capture;
  /** Aborts it and resolves its exit code. */
  stop(): Promise<number>;
  done: Promise<number>;
}

export function startCli(argv: readonly string[], io: Partial<Io> = {}): RunningCli {
  const stdout = new Capture();
  const stderr = new Capture();
  const controller = new AbortController();
  const done = run(argv, { pollMs: 20, env: {}, ...io, stdout, stderr, signal: controller.signal });
  return {
    stdout,
    stderr,
    done,
    stop() {
      controller.abort();
      return done;
    },
  };
}
