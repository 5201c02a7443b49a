/**
 * The regional API Gateway account setting: the CloudWatch role API Gateway writes access and execution logs
 * with. It is one per account and region and every API there uses it, so this stack sets it but never takes it
 * away: `pulumi destroy` leaves the setting and its role in place.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { assumedBy } from "./iam";

/** Arguments of the API Gateway account setting. */
export interface ApiGatewayAccountArgs {
  /**
   * `namePrefix` of the role (the provider appends a unique suffix): the role outlives the stack, so the next
   * `pulumi up` must not collide with the kept one.
   */
  readonly rolePrefix: string;
}

/**
 * Options of every resource here. `retainOnDelete`: in @pulumi/aws 7 (terraform-provider-aws 6) deleting an
 * `aws.apigateway.Account` always resets the account setting (hashicorp/terraform-provider-aws#42226 removed
 * `reset_on_delete`), which would silently stop the logs of every other API in the region; the role and its
 * policy are kept with it so the kept setting still points at a role that may write logs.
 */
export const ACCOUNT_SETTING_OPTIONS = {
  retainOnDelete: true,
} as const satisfies pulumi.CustomResourceOptions;

/**
 * The role (logging actions only; resource `*` because API Gateway names its execution log groups itself) and
 * the account setting that points at it. On an account with no role yet, this is what lets the stage's logging
 * deploy; on one that has a role, the setting is pointed at this one, which may log for every API too.
 */
export class ApiGatewayAccount extends pulumi.ComponentResource {
  readonly account: aws.apigateway.Account;
  readonly role: aws.iam.Role;

  constructor(name: string, args: ApiGatewayAccountArgs, opts?: pulumi.ComponentResourceOptions) {
    super("backbone:api:ApiGatewayAccount", name, {}, opts);
    const kept = { parent: this, ...ACCOUNT_SETTING_OPTIONS };
    this.role = new aws.iam.Role(
      name,
      {
        namePrefix: args.rolePrefix,
        description: "Lets API Gateway write access and execution logs (kept when the stack is destroyed)",
        assumeRolePolicy: JSON.stringify(assumedBy("apigateway.amazonaws.com")),
      },
      kept,
    );
    const policy = new aws.iam.RolePolicy(
      name,
      {
        role: this.role.id,
        policy: JSON.stringify({
          Version: "2012-10-17",
          Statement: [
            {
              Effect: "Allow",
              Action: [
                "logs:CreateLogGroup",
                "logs:CreateLogStream",
                "logs:DescribeLogGroups",
                "logs:DescribeLogStreams",
                "logs:PutLogEvents",
              ],
              Resource: "*",
            },
          ],
        }),
      },
      kept,
    );
    this.account = new aws.apigateway.Account(
      name,
      { cloudwatchRoleArn: this.role.arn },
      { ...kept, dependsOn: [policy] },
    );
    this.registerOutputs({ cloudwatchRoleArn: this.role.arn });
  }
}
