/**
 * What every command asks of a target, the local stack (`local.ts`, over its `/local/` HTTP API) or a deployed
 * stack (`aws.ts`, through EventBridge, SQS, Lambda and CloudWatch Logs), in shapes the renderer draws the
 * same way for both. Each answer keeps the target's own JSON as `raw` for `--json`.
 */

/** One route as `backbone routes` lists it. */
export interface RouteLine {
  /** The row key; `undefined` for a rule on the bus that no row of the table made. */
  key?: string;
  ruleName: string;
  /** `ENABLED` / `DISABLED` (AWS); locally the table's rules are always enabled. */
  state: string;
  target?: string;
  pattern?: string;
  /** Local only: the metrics' per-route counts since the process started. */
  counts?: { invocations: number; done: number; failures: number; deadLettered: number };
  /** Dead letters waiting (locally open DLQ entries; AWS the DLQ plus the failure queue). */
  deadLetters?: number;
}

/** One line of `events tail`. */
export interface TailLine {
  time: string;
  /** `accepted`, `outcome` (local), `log` (a processor's log line on AWS), `dropped`. */
  kind: string;
  routeKey?: string;
  eventId?: string;
  text: string;
}

/** What `events tail` follows. */
export interface TailFilter {
  detailType?: string;
  route?: string;
}

/** A node of a drawn tree: its line and the lines under it. */
export interface TreeNode {
  label: string;
  children: TreeNode[];
}

/** One dead letter. */
export interface DeadLetter {
  /** What `dlq redrive --ids` takes: a DLQ entry id locally, an SQS message id on AWS. */
  id: string;
  routeKey: string;
  eventId?: string;
  /** AWS: `dlq` (EventBridge could not deliver) or `failed` (the processor failed after Lambda's retries). */
  queue?: string;
  attempts?: number;
  deadLetteredAt?: string;
  error?: string;
}

export interface DlqListing {
  entries: DeadLetter[];
  /** How many wait in all (the listing may show fewer). */
  count: number;
  raw: unknown;
}

export interface RedriveResult {
  redriven: number;
  ids: string[];
  /** Ids that could not be redriven, with why (AWS: the invoke failed; they stay in their queue). */
  failed: { id: string; error: string }[];
  raw: unknown;
}

export interface ReplayRequest {
  from: Date;
  to: Date;
  route?: string;
  name: string;
}

/** A replay's progress, polled. */
export interface ReplayProgress {
  name: string;
  state: string;
  /** 0 to 1 when known. Locally events replayed of the total; on AWS by time (EventLastReplayedTime). */
  fraction?: number;
  replayed?: number;
  total?: number;
  reason?: string;
  raw: unknown;
}

export const REPLAY_DONE = new Set(["COMPLETED", "FAILED", "CANCELLED"]);

export interface Health {
  ok: boolean;
  /** Label and value, in order. */
  facts: [string, string][];
  raw: unknown;
}

export interface Target {
  /** Where it runs, for messages (`http://127.0.0.1:3000`, `stack dev (ap-southeast-2)`). */
  readonly name: string;
  routes(): Promise<{ routes: RouteLine[]; raw: unknown }>;
  /**
   * Calls `onLine` for each line until `signal` aborts (or the target ends the stream); `onReady` once it
   * follows (lines from then on are not missed).
   */
  tail(
    filter: TailFilter,
    onLine: (line: TailLine) => void,
    signal: AbortSignal,
    onReady: () => void,
  ): Promise<void>;
  show(eventId: string): Promise<{ tree: TreeNode; raw: unknown }>;
  dlqList(route?: string): Promise<DlqListing>;
  dlqRedrive(select: { route?: string; ids?: string[] }): Promise<RedriveResult>;
  startReplay(request: ReplayRequest): Promise<ReplayProgress>;
  replayProgress(name: string): Promise<ReplayProgress>;
  health(): Promise<Health>;
}
