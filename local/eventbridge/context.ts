/** What EventBridge's API needs from the stack it runs in: plain data and functions, no Fastify, no Store. */
import type { RouteRow, StackArns, StackNames } from "../../infra/table";
import type { BusEntry } from "../bus";
import type { ReplayFilter, ReplayRequest, ReplayRow } from "../store";

/** The `EventBusName`s PutEvents accepts: every known bus, and among them the account's default bus. */
export interface BusNames {
  readonly busNames: ReadonlySet<string>;
  /** `default` and its ARN: entries put there are kept but reach no route (the rules are on the backbone bus). */
  readonly defaultBusNames: ReadonlySet<string>;
}

/**
 * The API's collaborators: the main thread's (which commits itself) or a processor worker's (whose commit hands
 * the entries to the main thread).
 */
export interface EventBridgeContext extends BusNames {
  /** The backlog PutEvents throttles on. */
  readonly backlog: { readonly openDeliveries: number };
  /** Bound on open deliveries: `POST /events` answers 429 at this size, PutEvents throttles at twice it. */
  readonly maxPending: number;
  /**
   * The key a PutEvents call must carry (`x-backbone-emit-key`) for its `x-backbone-cause` to be accepted: this
   * server's processors have it, other clients do not (local/eventbridge/correlation.ts).
   */
  readonly emitKey: string;
  /** Commits entries now and resolves with their ids, in order. */
  readonly commit: (entries: readonly BusEntry[]) => Promise<string[]>;
  /**
   * The control plane (rules, targets, the archive, replays). Absent in a processor worker, which answers only
   * its processor's PutEvents: other operations are unknown there.
   */
  readonly control?: ControlPlane;
}

/** Names and ARNs of the local backbone bus (and its `aliases`) and of the default bus. */
export function busNamesFor(
  busName: string,
  region: string,
  account: string,
  aliases: readonly string[] = [],
): BusNames {
  const forms = (n: string) => [n, `arn:aws:events:${region}:${account}:event-bus/${n}`];
  return {
    busNames: new Set([...forms("default"), ...[busName, ...aliases].flatMap(forms)]),
    defaultBusNames: new Set(forms("default")),
  };
}

/** The stack the control plane describes, and the replay engine behind StartReplay. */
export interface ControlPlane {
  readonly names: StackNames;
  readonly arns: StackArns;
  readonly account: string;
  readonly routes: readonly RouteRow[];
  /** Other names accepted for the bus (`DEFAULTS.busAliases`). */
  readonly busAliases: readonly string[];
  /** When the local stack's database was created (epoch ms): the resources' `CreationTime`. */
  readonly createdAt: number;
  /** Events in the archive and their stored size. */
  archiveStats(): { eventCount: number; sizeBytes: number };
  /** The replay engine (`local/bus/replay.ts`); its calls throw its `ReplayError`. */
  readonly replays: {
    start(request: ReplayRequest): ReplayRow;
    cancel(name: string): ReplayRow;
    get(name: string): ReplayRow;
    list(filter: ReplayFilter, offset: number, limit: number): ReplayRow[];
  };
}
