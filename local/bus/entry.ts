/** What goes onto the bus and what the bus reports of a commit: plain types, imported by every side of it. */

/** One event to put on the bus (already validated). */
export interface BusEntry {
  /**
   * Its event id, when the caller assigned one (a processor worker answers PutEvents before the main thread
   * commits: `local/delivery/pool/worker.ts`); otherwise the bus assigns a UUIDv7.
   */
  id?: string;
  source: string;
  detailType: string;
  detail: Record<string, unknown>;
  /** `JSON.stringify(detail)` when the caller has it already (the API validated its size with it). */
  detailJson?: string;
  /** Event time; defaults to the acceptance time. */
  time?: Date;
  resources?: string[];
  /**
   * Put on the account's default bus (PutEvents without `EventBusName`, or `default`): kept and visible, but no
   * route sees it, since the routing table's rules live on the backbone bus, as on AWS.
   */
  defaultBus?: boolean;
  /** Set by replay: the archived event this one re-sends. */
  replayOf?: string;
  replayName?: string;
  /** Set by replay (`Destination.FilterArns`): only these routes may receive it. */
  onlyRoutes?: ReadonlySet<string>;
  /** Its correlation id (a request header's, or inherited); absent: its own id stands for it. */
  correlationId?: string;
  /** The delivery whose processor emitted it (a follow-up). */
  cause?: { eventId: string; routeKey: string };
}

/** What the bus tells a delivery loop about one commit of new events. */
export interface Commit {
  /** `seq` of the last event committed. */
  readonly seq: number;
  /**
   * The commit ran in an event-loop turn of its own (the request group commit). Otherwise it ran inside a
   * processor's promise chain (an emit), where starting further deliveries at once would chain processors
   * through microtasks alone and starve HTTP, timers and signals while a backlog lasts.
   */
  readonly ownTurn: boolean;
}
