/**
 * The command line: `backbone [target options] <command> [options]`, parsed with `node:util` `parseArgs`
 * (strict: an unknown flag is an error). Every command's flags and the target flags are declared once here;
 * the usage text is made from the same table.
 */
import { parseArgs, type ParseArgsConfig } from "node:util";
import { UsageError } from "./errors";

type Options = NonNullable<ParseArgsConfig["options"]>;

/** Flags every command takes: where the target is. */
export const TARGET_OPTIONS = {
  url: { type: "string", help: "the local stack (default $BACKBONE_URL or http://127.0.0.1:3000)" },
  token: { type: "string", help: "the local stack's token, if it has one (default $BACKBONE_TOKEN)" },
  stack: { type: "string", help: "run against AWS: the stack whose outputs `pulumi stack output` gives" },
  outputs: { type: "string", help: "run against AWS: the stack outputs JSON from a file (- for stdin)" },
  region: { type: "string", help: "run against AWS in this region (default: the stack's)" },
  "endpoint-url": { type: "string", help: "send the AWS calls to this URL (as the aws CLI's flag)" },
  json: { type: "boolean", help: "print the target's JSON instead of text" },
  help: { type: "boolean", short: "h", help: "this text" },
} as const satisfies Record<string, Options[string] & { help: string }>;

/** One command: its words, positional arguments, flags and one line of help. */
interface CommandSpec {
  words: readonly string[];
  args: readonly string[];
  options: Record<string, Options[string] & { help: string }>;
  help: string;
}

export const COMMANDS = {
  routes: {
    words: ["routes"],
    args: [],
    options: {},
    help: "each route's rule, target, counts and dead letters",
  },
  tail: {
    words: ["events", "tail"],
    args: [],
    options: {
      "detail-type": { type: "string", help: "only events of this detail-type" },
      route: { type: "string", help: "only what this route receives" },
    },
    help: "follow events and their outcomes live (AWS: the processors' log lines) until Ctrl-C",
  },
  show: {
    words: ["events", "show"],
    args: ["ID"],
    options: { since: { type: "string", help: "AWS: how far back to look in the logs (default 24h)" } },
    help: "an event's causal tree: routes, attempts, follow-ups, replays (AWS: its log lines)",
  },
  "dlq-list": {
    words: ["dlq", "list"],
    args: [],
    options: { route: { type: "string", help: "only this route's dead letters" } },
    help: "dead letters (AWS: a peek at each route's DLQ and failure queue; they stay queued)",
  },
  "dlq-redrive": {
    words: ["dlq", "redrive"],
    args: [],
    options: {
      route: { type: "string", help: "only this route's dead letters" },
      ids: { type: "string", multiple: true, help: "only these ids from `dlq list` (comma-separated)" },
    },
    help: "deliver dead letters again (all, one route's, or some ids)",
  },
  replay: {
    words: ["replay"],
    args: [],
    options: {
      from: { type: "string", help: "start: ISO 8601, `now`, or a time ago (30m, 2h, 7d)" },
      to: { type: "string", help: "end, the same way (default now)" },
      route: { type: "string", help: "only to this route's rule (default every route)" },
      name: { type: "string", help: "the replay's name (default backbone-<route>-<time>)" },
    },
    help: "replay archived events of a time range, with its progress",
  },
  health: { words: ["health"], args: [], options: {}, help: "liveness, backlog and dead letters" },
} as const satisfies Record<string, CommandSpec>;

export type CommandName = keyof typeof COMMANDS;

/** A parsed command line. */
export interface Parsed {
  command: CommandName | "help";
  /** The command's arguments; for `help`, the command asked about (`backbone dlq list --help`), if any. */
  args: string[];
  values: Record<string, string | boolean | (string | boolean)[] | undefined>;
}

/** Parses `argv` (without `node` and the script); a `UsageError` for anything it does not know. */
export function parse(argv: readonly string[]): Parsed {
  const all: Options = { ...TARGET_OPTIONS };
  for (const spec of Object.values(COMMANDS)) Object.assign(all, spec.options);
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], options: all, allowPositionals: true, strict: true, tokens: true });
  } catch (err) {
    throw new UsageError(parseError(err as Error & { code?: string }));
  }
  const { values, positionals } = parsed;
  if (positionals.length === 0 || positionals[0] === "help") {
    if (positionals.length === 0 && !values.help) throw new UsageError(`no command given (${commandList()})`);
    return { command: "help", args: [], values };
  }
  // `backbone dlq --help`: the whole usage, which lists the group's commands.
  if (values.help && positionals.length === 1 && groupOf(positionals[0]).length > 0) {
    return { command: "help", args: [], values };
  }
  const [command, spec] = commandOf(positionals);
  // Help on a command the CLI knows: its own usage (an unknown one is refused above, not answered with help).
  if (values.help) return { command: "help", args: [command], values };
  const args = positionals.slice(spec.words.length);
  if (args.length !== spec.args.length) {
    const usage = [...spec.words, ...spec.args].join(" ");
    throw new UsageError(
      args.length < spec.args.length
        ? `${spec.words.join(" ")} needs ${spec.args.join(" ")} (backbone ${usage})`
        : `${spec.words.join(" ")} takes no argument "${args[spec.args.length]}"`,
    );
  }
  for (const token of parsed.tokens ?? []) {
    if (token.kind !== "option") continue;
    if (!(token.name in TARGET_OPTIONS) && !(token.name in spec.options)) {
      throw new UsageError(
        `${spec.words.join(" ")} has no option --${token.name} (backbone ${spec.words.join(" ")} --help)`,
      );
    }
  }
  return { command, args, values };
}

/** The command `positionals` start with; a `UsageError` naming the commands when none. */
function commandOf(positionals: readonly string[]): [CommandName, CommandSpec] {
  const entry = Object.entries(COMMANDS).find(([, spec]) =>
    spec.words.every((w, i) => positionals[i] === w),
  ) as [CommandName, CommandSpec] | undefined;
  if (entry) return entry;
  const group = groupOf(positionals[0]);
  if (group.length > 0 && positionals.length === 1) {
    throw new UsageError(
      `${positionals[0]} needs a command: ${group.map((c) => c.words.join(" ")).join(", ")}`,
    );
  }
  throw new UsageError(`unknown command "${positionals.slice(0, 2).join(" ")}" (${commandList()})`);
}

/** The commands whose first word is `word` and that need a second (`dlq`: `dlq list`, `dlq redrive`). */
function groupOf(word: string): CommandSpec[] {
  return (Object.values(COMMANDS) as CommandSpec[]).filter((c) => c.words.length > 1 && c.words[0] === word);
}

/** The target options' heading and lines, which both usage texts end with. */
function targetOptionLines(): string[] {
  const lines = ["", "Target options (local stack by default; --stack, --outputs or --region: AWS):"];
  for (const [name, o] of Object.entries(TARGET_OPTIONS) as [string, { help: string }][]) {
    lines.push(`  --${name}`.padEnd(24) + o.help);
  }
  return lines;
}

/** One command's usage: its line, its flags and the target options (`backbone <command> --help`). */
export function commandUsage(command: CommandName): string {
  const spec: CommandSpec = COMMANDS[command];
  const lines = [`Usage: backbone [target options] ${[...spec.words, ...spec.args].join(" ")} [options]`, ""];
  lines.push(spec.help.charAt(0).toUpperCase() + spec.help.slice(1) + ".");
  const options = Object.entries(spec.options);
  if (options.length > 0) {
    lines.push("", "Options:");
    for (const [name, o] of options) lines.push(`  --${name}`.padEnd(24) + o.help);
  }
  lines.push(...targetOptionLines(), "", "backbone --help lists every command and the exit codes.");
  return lines.join("\n") + "\n";
}

/** The usage text. */
export function usage(): string {
  const lines = ["Usage: backbone [target options] <command> [options]", "", "Commands:"];
  for (const spec of Object.values(COMMANDS) as CommandSpec[]) {
    lines.push(`  ${[...spec.words, ...spec.args].join(" ")}`.padEnd(24) + spec.help);
    for (const [name, o] of Object.entries(spec.options)) lines.push(`      --${name}`.padEnd(26) + o.help);
  }
  lines.push(
    ...targetOptionLines(),
    "",
    "Exit codes: 0 done; 1 the target answered with a failure (unknown id, failed replay, degraded health);",
    "2 the command could not run (unknown command or flag, unreachable endpoint, missing stack output);",
    "130 Ctrl-C while watching a replay (the replay goes on).",
  );
  return lines.join("\n") + "\n";
}

function commandList(): string {
  return `commands: ${(Object.values(COMMANDS) as CommandSpec[]).map((c) => c.words.join(" ")).join(", ")}`;
}

/** parseArgs' messages, shortened to what the user typed. */
function parseError(err: Error & { code?: string }): string {
  const unknown = /Unknown option '([^']+)'/.exec(err.message);
  if (unknown) return `unknown option ${unknown[1]} (backbone --help lists them)`;
  const missing =
    /Option '(-\S+)(?:, -\S+)? <value>' argument missing/.exec(err.message) ??
    /Option '(?:-\w, )?(--\S+) <value>' argument missing/.exec(err.message);
  if (missing) return `option ${missing[1]} needs a value`;
  return err.message.split("\n")[0];
}
