/**
 * EventBridge's archive and replays: `ListArchives`, `DescribeArchive` (the stack's one archive, with the
 * pattern the cloud stack gives it: what entered through the API), and `StartReplay`, `DescribeReplay`,
 * `ListReplays`, `CancelReplay` on the local stack's one replay engine (`local/bus/replay.ts`), the same one
 * `POST /local/replay` runs.
 */
import { ARCHIVE_DESCRIPTION, ARCHIVE_PATTERN } from "../../infra/table";
import { ReplayError } from "../bus";
import { REPLAY_STATES, type ReplayRow } from "../store";
import {
  optionalEnum,
  optionalString,
  page,
  pageWindow,
  requiredString,
  requiredTime,
  seconds,
  token,
} from "./control";
import type { ControlPlane } from "./context";
import {
  AwsError,
  alreadyExists,
  illegalStatus,
  invalidMember,
  resourceNotFound,
  validation,
} from "./errors";
import { isPlainObject } from "./json";

/** EventBridge's `ArchiveState` values (the API reference); the local archive is always `ENABLED`. */
const ARCHIVE_STATES = [
  "ENABLED",
  "DISABLED",
  "CREATING",
  "UPDATING",
  "CREATE_FAILED",
  "UPDATE_FAILED",
] as const;

/** The local archive keeps every event: nothing expires (RetentionDays 0 means indefinitely, as on AWS). */
const RETENTION_DAYS = 0;

export function listArchives(control: ControlPlane, input: Record<string, unknown>): unknown {
  const prefix = optionalString(input, "NamePrefix") ?? "";
  const source = optionalString(input, "EventSourceArn");
  const state = optionalEnum(input, "State", ARCHIVE_STATES);
  const archives =
    control.names.archive.startsWith(prefix) &&
    (source === undefined || source === control.arns.bus) &&
    (state === undefined || state === "ENABLED")
      ? [archiveSummary(control)]
      : [];
  const { items, NextToken } = page(input, "ListArchives", archives);
  return { Archives: items, ...(NextToken ? { NextToken } : {}) };
}

export function describeArchive(control: ControlPlane, input: Record<string, unknown>): unknown {
  const name = requiredString(input, "ArchiveName");
  if (name !== control.names.archive) throw resourceNotFound(`Archive ${name} does not exist.`);
  return {
    ArchiveArn: control.arns.archive,
    ...archiveSummary(control),
    Description: ARCHIVE_DESCRIPTION,
    EventPattern: JSON.stringify(ARCHIVE_PATTERN),
  };
}

export function startReplay(control: ControlPlane, input: Record<string, unknown>): unknown {
  const name = requiredString(input, "ReplayName");
  const sourceArn = requiredString(input, "EventSourceArn");
  const from = requiredTime(input, "EventStartTime");
  const to = requiredTime(input, "EventEndTime");
  const destination = input.Destination;
  if (!isPlainObject(destination)) throw invalidMember("destination", "Member must not be null");
  const destinationArn = requiredString(destination, "Arn");
  const filterArns = destination.FilterArns;
  if (
    filterArns !== undefined &&
    !(Array.isArray(filterArns) && filterArns.every((a) => typeof a === "string"))
  ) {
    throw new AwsError("SerializationException", "Destination.FilterArns must be a list of strings");
  }
  // Replaying to no rule would re-send every event for nothing; omitting the list is how to mean every rule.
  if (Array.isArray(filterArns) && filterArns.length === 0) {
    throw validation(
      "Parameter Destination.FilterArns is not valid. Reason: the list is empty; omit it to replay to every rule.",
    );
  }
  if (sourceArn !== control.arns.archive) throw resourceNotFound(`Archive ${sourceArn} does not exist.`);
  if (destinationArn !== control.arns.bus) {
    throw validation(
      `Parameter Destination.Arn is not valid. Reason: the archive's event bus is ${control.arns.bus}; ` +
        `cross event bus replay is not permitted.`,
    );
  }
  if (!(from < to))
    throw validation("Parameter EventStartTime is not valid. Reason: it must be before EventEndTime.");
  const routeKeys = filterArns?.map((arn) => {
    const row = control.routes.find((r) => control.arns.rule(r.key) === arn);
    if (!row) throw resourceNotFound(`Rule ${arn} does not exist.`);
    return row.key;
  });
  const description = optionalString(input, "Description");
  const row = replayCall(() =>
    control.replays.start({
      name,
      description,
      from,
      to,
      eventSourceArn: sourceArn,
      destination: { Arn: destinationArn, ...(filterArns ? { FilterArns: filterArns as string[] } : {}) },
      routeKeys,
    }),
  );
  return {
    ReplayArn: control.arns.replay(row.name),
    State: row.state,
    ReplayStartTime: seconds(row.started_at),
  };
}

export function describeReplay(control: ControlPlane, input: Record<string, unknown>): unknown {
  const row = replayCall(() => control.replays.get(requiredString(input, "ReplayName")));
  return {
    ReplayName: row.name,
    ReplayArn: control.arns.replay(row.name),
    ...(row.description !== null ? { Description: row.description } : {}),
    Destination: JSON.parse(row.destination) as unknown,
    ...replaySummary(row),
  };
}

export function listReplays(control: ControlPlane, input: Record<string, unknown>): unknown {
  const { offset, limit } = pageWindow(input, "ListReplays");
  const filter = {
    namePrefix: optionalString(input, "NamePrefix"),
    state: optionalEnum(input, "State", REPLAY_STATES),
    eventSourceArn: optionalString(input, "EventSourceArn"),
  };
  // One more than asked: whether a next page exists, without counting.
  const rows = control.replays.list(filter, offset, limit + 1);
  const more = rows.length > limit;
  return {
    Replays: rows.slice(0, limit).map((r) => ({ ReplayName: r.name, ...replaySummary(r) })),
    ...(more ? { NextToken: token("ListReplays", offset + limit) } : {}),
  };
}

export function cancelReplay(control: ControlPlane, input: Record<string, unknown>): unknown {
  const row = replayCall(() => control.replays.cancel(requiredString(input, "ReplayName")));
  return { ReplayArn: control.arns.replay(row.name), State: row.state };
}

function archiveSummary(control: ControlPlane) {
  const stats = control.archiveStats();
  return {
    ArchiveName: control.names.archive,
    EventSourceArn: control.arns.bus,
    State: "ENABLED",
    RetentionDays: RETENTION_DAYS,
    SizeBytes: stats.sizeBytes,
    EventCount: stats.eventCount,
    CreationTime: seconds(control.createdAt),
  };
}

/** The members `Replay` (ListReplays) and `DescribeReplay` share. */
function replaySummary(row: ReplayRow) {
  return {
    EventSourceArn: row.event_source_arn,
    State: row.state,
    ...(row.state_reason !== null ? { StateReason: row.state_reason } : {}),
    EventStartTime: seconds(row.event_start),
    EventEndTime: seconds(row.event_end),
    ...(row.last_replayed_at !== null ? { EventLastReplayedTime: seconds(row.last_replayed_at) } : {}),
    ReplayStartTime: seconds(row.started_at),
    ...(row.ended_at !== null ? { ReplayEndTime: seconds(row.ended_at) } : {}),
  };
}

/** StartReplay's parameter for each part of a request the engine can refuse. */
const PARAMETER_OF: Record<NonNullable<ReplayError["field"]>, string> = {
  name: "ReplayName",
  range: "EventStartTime",
  description: "Description",
};

/** Runs a replay-engine call, turning its `ReplayError` into AWS's error for it. */
function replayCall<T>(call: () => T): T {
  try {
    return call();
  } catch (err) {
    if (!(err instanceof ReplayError)) throw err;
    switch (err.kind) {
      case "invalid":
        throw validation(
          `Parameter ${PARAMETER_OF[err.field ?? "name"]} is not valid. Reason: ${err.message}`,
        );
      case "exists":
        throw alreadyExists(err.message);
      case "not-found":
        throw resourceNotFound(err.message);
      case "illegal-state":
        throw illegalStatus(err.message);
    }
  }
}
