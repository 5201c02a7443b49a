/** Machine facts and table printing shared by the bench modules. */
import { execFileSync } from "node:child_process";
import os from "node:os";

/** `lscpu` model name, cores and Node version: every number in BENCHMARKS.md is reported with them. */
export function machine(): string {
  let model = os.cpus()[0]?.model ?? "unknown CPU";
  try {
    const lscpu = execFileSync("lscpu", { encoding: "utf8" });
    model = /^Model name:\s*(.+)$/m.exec(lscpu)?.[1].trim() ?? model;
  } catch {
    // lscpu is Linux-only; os.cpus() is the fallback.
  }
  return `${model}, ${os.cpus().length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
}

/**
 * The machine's load average (1, 5, 15 min), as `uptime` prints it: other work on the same cores changes every
 * number here, so each module prints it with its results.
 */
export function loadAverage(): string {
  const [one, five, fifteen] = os.loadavg().map((l) => l.toFixed(2));
  return `load average ${one}, ${five}, ${fifteen} (${os.cpus().length} cores)`;
}

/** A Markdown table. */
export function table(header: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  const line = (cells: readonly (string | number)[]) => `| ${cells.join(" | ")} |`;
  return [line(header), line(header.map(() => "---")), ...rows.map(line)].join("\n");
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Percentile (0–100) of an unsorted sample, nearest-rank. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank];
}
