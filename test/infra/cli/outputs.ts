/**
 * Stack outputs for specs: the local stack is the stack `local` of this project, so its outputs follow from
 * the naming module alone (`infra/table/names.ts`), exactly as `pulumi stack output --json` would give them for
 * a deployed stack named `local` in the local stack's region and account.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { StackOutputs } from "../../../infra/cli";
import { stackArns, stackNames } from "../../../infra/table";
import { routes } from "../../../infra/routes";

export const REGION = "ap-southeast-2";
export const ACCOUNT = "000000000000";
export const names = stackNames({ project: "event-backbone", stack: "local", region: REGION });
export const arns = stackArns(names, ACCOUNT);

const queueUrl = (name: string) => `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/${name}`;

/** The outputs of the stack `local` for the real routing table. */
export function localOutputs(): StackOutputs {
  return {
    busName: names.bus,
    busArn: arns.bus,
    archiveArn: arns.archive,
    routeResources: Object.fromEntries(
      routes.map((r) => {
        const n = names.route(r.key);
        return [
          r.key,
          {
            ruleName: n.rule,
            ruleArn: arns.rule(r.key),
            functionName: n.function,
            logGroupName: n.logGroup,
            dlqUrl: queueUrl(n.dlq),
            dlqArn: arns.dlq(r.key),
            failureQueueUrl: queueUrl(n.failureQueue),
            failureQueueArn: arns.failureQueue(r.key),
          },
        ];
      }),
    ),
  };
}

/** Writes `outputs` (default: the stack `local`'s; a string as it is) to `dir/<name>`; returns its path. */
export function outputsFile(dir: string, outputs: unknown = localOutputs(), name = "outputs.json"): string {
  const file = join(dir, name);
  writeFileSync(file, typeof outputs === "string" ? outputs : JSON.stringify(outputs));
  return file;
}
