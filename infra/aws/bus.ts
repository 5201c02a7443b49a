/**
 * The event bus, its archive and its resource policy, and the idempotency table the processors share.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { ARCHIVE_DESCRIPTION, ARCHIVE_PATTERN } from "../table";
import { busPolicy, type BusProducer } from "./iam";

/** Arguments of the event bus. */
export interface BusArgs {
  /** Days the archive keeps events for replay; 0 keeps them indefinitely. */
  readonly archiveRetentionDays: pulumi.Input<number>;
  /** Physical bus name (`names.ts`): fixed per stack, so the name is known before the stack exists. */
  readonly busName: string;
  /** Physical archive name (at most 48 characters). */
  readonly archiveName: string;
}

/**
 * The project's own EventBridge bus (never `default`, so other producers in the account cannot reach the
 * routes) and an archive of what entered through the API, so failed or new routes can be replayed.
 */
export class Bus extends pulumi.ComponentResource {
  readonly bus: aws.cloudwatch.EventBus;
  readonly archive: aws.cloudwatch.EventArchive;
  readonly name: pulumi.Output<string>;
  readonly arn: pulumi.Output<string>;

  constructor(name: string, args: BusArgs, opts?: pulumi.ComponentResourceOptions) {
    super("backbone:bus:Bus", name, {}, opts);
    this.bus = new aws.cloudwatch.EventBus(name, { name: args.busName }, { parent: this });
    this.archive = new aws.cloudwatch.EventArchive(
      `${name}-archive`,
      {
        name: args.archiveName,
        eventSourceArn: this.bus.arn,
        // Only what entered through the API (`infra/table/archive.ts`, shared with the local stack's replay): a
        // replay puts it back on the bus and the processors emit their follow-ups again; archiving the
        // follow-ups too would deliver each of them twice.
        eventPattern: JSON.stringify(ARCHIVE_PATTERN),
        retentionDays: args.archiveRetentionDays,
        description: ARCHIVE_DESCRIPTION,
      },
      { parent: this },
    );
    this.name = this.bus.name;
    this.arn = this.bus.arn;
    this.registerOutputs({ name: this.name, arn: this.arn, archiveArn: this.archive.arn });
  }
}

/** Arguments of the bus policy. */
export interface BusPolicyArgs {
  readonly busName: pulumi.Input<string>;
  readonly busArn: pulumi.Input<string>;
  /** Every role that may put events on the bus (the API's and each processor's), each with its one source. */
  readonly producers: readonly { readonly roleArn: pulumi.Input<string>; readonly source: string }[];
}

/**
 * The bus's resource policy (`busPolicy` in `iam.ts`): only the stack's producers may put events, each only
 * with its own source. Declared after the producers' roles, whose ARNs it names.
 */
export class BusPolicy extends pulumi.ComponentResource {
  readonly policy: aws.cloudwatch.EventBusPolicy;

  constructor(name: string, args: BusPolicyArgs, opts?: pulumi.ComponentResourceOptions) {
    super("backbone:bus:BusPolicy", name, {}, opts);
    const producers = pulumi.all(
      args.producers.map((p) =>
        pulumi.output(p.roleArn).apply((roleArn): BusProducer => ({ roleArn, source: p.source })),
      ),
    );
    this.policy = new aws.cloudwatch.EventBusPolicy(
      name,
      {
        eventBusName: args.busName,
        policy: pulumi.all([args.busArn, producers]).apply(([busArn, list]) => {
          const { document, perSource } = busPolicy(busArn, list);
          if (!perSource) {
            pulumi.log.warn(
              `the bus policy for ${list.length} producers would exceed EventBridge's policy size quota: it keeps ` +
                "other principals out, and each role's own policy pins its source",
              this,
            );
          }
          return JSON.stringify(document);
        }),
      },
      { parent: this },
    );
    this.registerOutputs({});
  }
}

/** Arguments of the idempotency table. */
export interface IdempotencyTableArgs {
  /** Physical table name (`names.ts`). */
  readonly tableName: string;
}

/**
 * Where processors remember the result of each `<routeKey>:<eventId>` so a redelivered event returns the same
 * result and emits nothing twice. On-demand billing: traffic is bursty and mostly idle. Items expire by TTL.
 */
export class IdempotencyTable extends pulumi.ComponentResource {
  readonly table: aws.dynamodb.Table;
  readonly name: pulumi.Output<string>;
  readonly arn: pulumi.Output<string>;

  constructor(name: string, args: IdempotencyTableArgs, opts?: pulumi.ComponentResourceOptions) {
    super("backbone:storage:IdempotencyTable", name, {}, opts);
    this.table = new aws.dynamodb.Table(
      name,
      {
        name: args.tableName,
        billingMode: "PAY_PER_REQUEST",
        hashKey: "id",
        attributes: [{ name: "id", type: "S" }],
        ttl: { attributeName: "expiresAt", enabled: true },
        serverSideEncryption: { enabled: true },
        pointInTimeRecovery: { enabled: true },
      },
      { parent: this },
    );
    this.name = this.table.name;
    this.arn = this.table.arn;
    this.registerOutputs({ name: this.name, arn: this.arn });
  }
}
