/**
 * Drawing for the terminal: aligned tables, trees, and a replay's progress (one bar redrawn in place on a
 * terminal, plain lines otherwise, so a log file or CI output stays readable). Hand-written: each is a few
 * lines over strings, and a library's terminal handling (cursor control, colours) is not needed for them.
 */
import type { ReplayProgress, TreeNode } from "./target";

/** Where the CLI writes: a stream, with `isTTY`/`columns` when it is a terminal. */
export interface Output {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

/** `rows` under `headers`, each column as wide as its widest cell; the last column is not padded. */
export function table(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i])))
      .join("  ")
      .trimEnd();
  return [line(headers), ...rows.map(line)].join("\n") + "\n";
}

/** `label: value` lines with the values aligned. */
export function facts(pairs: readonly (readonly [string, string])[]): string {
  const width = Math.max(...pairs.map(([k]) => k.length));
  return pairs.map(([k, v]) => `${`${k}:`.padEnd(width + 2)}${v}`).join("\n") + "\n";
}

/** The tree under `root`, drawn with box-drawing characters. */
export function tree(root: TreeNode): string {
  const lines = [root.label];
  const walk = (node: TreeNode, indent: string) => {
    node.children.forEach((child, i) => {
      const last = i === node.children.length - 1;
      lines.push(`${indent}${last ? "└─ " : "├─ "}${child.label}`);
      walk(child, indent + (last ? "   " : "│  "));
    });
  };
  walk(root, "");
  return lines.join("\n") + "\n";
}

const BAR_WIDTH = 24;

/**
 * Shows a replay's progress on `out`: on a terminal one line redrawn in place; otherwise a line whenever the
 * state changes or another tenth is done.
 */
export class ProgressView {
  private lastState: string | undefined;
  private lastTenth = -1;
  private drawn = false;

  constructor(private readonly out: Output) {}

  update(p: ReplayProgress): void {
    const percent = p.fraction === undefined ? undefined : Math.floor(p.fraction * 100);
    const counts = p.total !== undefined && p.total > 0 ? ` ${p.replayed}/${p.total}` : "";
    const paused = p.reason && p.state === "RUNNING" ? ` (${p.reason})` : "";
    if (this.out.isTTY) {
      const filled = percent === undefined ? 0 : Math.round((percent / 100) * BAR_WIDTH);
      const bar = "█".repeat(filled) + "░".repeat(BAR_WIDTH - filled);
      const pct = percent === undefined ? "  ?%" : `${String(percent).padStart(3)}%`;
      this.out.write(`\r\x1b[K${p.name} [${bar}] ${pct}${counts} ${p.state}${paused}`);
      this.drawn = true;
      return;
    }
    const tenth = percent === undefined ? -1 : Math.floor(percent / 10);
    if (p.state === this.lastState && tenth <= this.lastTenth) return;
    this.lastState = p.state;
    this.lastTenth = Math.max(this.lastTenth, tenth);
    const pct = percent === undefined ? "" : ` ${percent}%`;
    this.out.write(`${p.name}: ${p.state}${pct}${counts}${paused}\n`);
  }

  /** Ends the redrawn line, if any. */
  end(): void {
    if (this.drawn) this.out.write("\n");
    this.drawn = false;
  }
}

/** `12:00:01.234Z` of an ISO time (the date is left out: a tail runs for hours, not days). */
export function clock(iso: string): string {
  const t = /T(\d\d:\d\d:\d\d(\.\d+)?Z?)/.exec(iso);
  return t ? t[1] : iso;
}
