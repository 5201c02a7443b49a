import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

/** Arguments of the event bus. */
export interface BusArgs {
  /** Days the archive keeps every event for replay; 0 keeps them indefinitely. */
  readonly archiveRetentionDays: pulumi.Input<number>;
  /**
   * Physical bus name. A fixed, predictable name (the stack's) lets producers outside the stack address the bus
   * (`aws events put-events --entries '[{"EventBusName": ...}]'`) without reading stack outputs first.
   */
  readonly busName: string;
}

/**
 * The project's own EventBridge bus (never `default`, so other producers in the account cannot reach the routes)
 * and an archive of everything on it, so failed or new routes can be replayed.
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
        eventSourceArn: this.bus.arn,
        retentionDays: args.archiveRetentionDays,
        description: "Every event on the backbone bus, for replay",
      },
      { parent: this },
    );
    this.name = this.bus.name;
    this.arn = this.bus.arn;
    this.registerOutputs({ name: this.name, arn: this.arn, archiveArn: this.archive.arn });
  }
}

/** Arguments of the idempotency table. */
export type IdempotencyTableArgs = Record<string, never>;

/**
 * Where processors remember the result of each `<routeKey>:<eventId>` so a redelivered event returns the same
 * result and emits nothing twice. On-demand billing: traffic is bursty and mostly idle. Items expire by TTL.
 */
export class IdempotencyTable extends pulumi.ComponentResource {
  readonly table: aws.dynamodb.Table;
  readonly name: pulumi.Output<string>;
  readonly arn: pulumi.Output<string>;

  constructor(name: string, _args: IdempotencyTableArgs, opts?: pulumi.ComponentResourceOptions) {
    super("backbone:storage:IdempotencyTable", name, {}, opts);
    this.table = new aws.dynamodb.Table(
      name,
      {
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
