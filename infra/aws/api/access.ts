/**
 * Who may call `POST /events` (the `auth` config key), and what a caller needs for it: with `apiKey` a usage
 * plan (throttle and quota) and the key; with `iam` a managed policy to attach to the callers' roles; with
 * `none` nothing, and a warning at every preview.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { invokePolicy } from "../iam";
import type { ApiAuth } from "./gateway-responses";

/** Arguments of the API's access control. */
export interface ApiAccessArgs {
  readonly auth: ApiAuth;
  readonly restApiId: pulumi.Input<string>;
  /** `arn:aws:execute-api:<region>:<account>:<api id>`: the IAM resource of the API's methods. */
  readonly executionArn: pulumi.Input<string>;
  readonly stageName: pulumi.Input<string>;
  /** The usage plan's throttle (the stage's, so a key cannot go faster than the stage). */
  readonly throttle: { readonly rateLimit: number; readonly burstLimit: number };
  /** The usage plan's quota; undefined means none. */
  readonly quota?: { readonly limit: number; readonly period: "DAY" | "WEEK" | "MONTH" };
  readonly names: { readonly usagePlan: string; readonly apiKey: string; readonly invokePolicy: string };
}

/** The access control of the API, by `auth` mode. */
export class ApiAccess extends pulumi.ComponentResource {
  /** With `apiKey`: the key's id. */
  readonly apiKeyId?: pulumi.Output<string>;
  /** With `apiKey`: the key itself, a secret (`pulumi stack output apiKey --show-secrets`). */
  readonly apiKey?: pulumi.Output<string>;
  /** With `iam`: the managed policy that lets a principal call `POST /events`. */
  readonly invokePolicyArn?: pulumi.Output<string>;

  constructor(name: string, args: ApiAccessArgs, opts?: pulumi.ComponentResourceOptions) {
    super("backbone:api:ApiAccess", name, {}, opts);
    const child = { parent: this };

    if (args.auth === "apiKey") {
      const plan = new aws.apigateway.UsagePlan(
        name,
        {
          name: args.names.usagePlan,
          description: "Clients of POST /events",
          apiStages: [{ apiId: args.restApiId, stage: args.stageName }],
          throttleSettings: { rateLimit: args.throttle.rateLimit, burstLimit: args.throttle.burstLimit },
          quotaSettings: args.quota ? { limit: args.quota.limit, period: args.quota.period } : undefined,
        },
        child,
      );
      const key = new aws.apigateway.ApiKey(
        name,
        { name: args.names.apiKey, description: "Key for POST /events (x-api-key)" },
        // The value is computed by API Gateway; keep it encrypted in the state and in outputs.
        { parent: this, additionalSecretOutputs: ["value"] },
      );
      new aws.apigateway.UsagePlanKey(
        name,
        { keyId: key.id, keyType: "API_KEY", usagePlanId: plan.id },
        child,
      );
      this.apiKeyId = key.id;
      this.apiKey = pulumi.secret(key.value);
    } else if (args.auth === "iam") {
      const policy = new aws.iam.Policy(
        `${name}-invoke`,
        {
          name: args.names.invokePolicy,
          description: "Attach to a role or user to let it call POST /events (SigV4, service execute-api)",
          policy: pulumi
            .all([args.executionArn, args.stageName])
            .apply(([arn, stage]) => JSON.stringify(invokePolicy(`${arn}/${stage}/POST/events`))),
        },
        child,
      );
      this.invokePolicyArn = policy.arn;
    } else {
      pulumi.log.warn("auth is none: anyone who finds the URL can put events on the bus", this);
    }
    this.registerOutputs({ apiKeyId: this.apiKeyId, invokePolicyArn: this.invokePolicyArn });
  }
}
