import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { assumedBy } from "./iam";

/** Arguments of the API Gateway account setting. */
export type ApiGatewayAccountArgs = Record<string, never>;

/**
 * API Gateway writes access and execution logs with one role per account and region; without it a stage with
 * access logging fails to deploy. The role's permissions are scoped to logging actions (resource `*` because
 * API Gateway names its execution log groups itself).
 */
export class ApiGatewayAccount extends pulumi.ComponentResource {
  readonly account: aws.apigateway.Account;

  constructor(name: string, _args: ApiGatewayAccountArgs, opts?: pulumi.ComponentResourceOptions) {
    super("backbone:api:ApiGatewayAccount", name, {}, opts);
    const role = new aws.iam.Role(
      name,
      {
        description: "Lets API Gateway write access and execution logs",
        assumeRolePolicy: JSON.stringify(assumedBy("apigateway.amazonaws.com")),
      },
      { parent: this },
    );
    const policy = new aws.iam.RolePolicy(
      name,
      {
        role: role.id,
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
      { parent: this },
    );
    this.account = new aws.apigateway.Account(
      name,
      { cloudwatchRoleArn: role.arn },
      { parent: this, dependsOn: [policy] },
    );
    this.registerOutputs({ cloudwatchRoleArn: role.arn });
  }
}
