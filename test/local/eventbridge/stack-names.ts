/**
 * The local stack's EventBridge names and ARNs (a stack named `local`, as the cloud stack names them), and how
 * the control-plane specs read a refusal.
 */
import { routes } from "../../../infra/routes";

export const BUS = "event-backbone-local";
export const ACCOUNT = "000000000000";
export const REGION = "ap-southeast-2";
export const BUS_ARN = `arn:aws:events:${REGION}:${ACCOUNT}:event-bus/${BUS}`;
export const ARCHIVE = `${BUS}-api-events`;
export const ARCHIVE_ARN = `arn:aws:events:${REGION}:${ACCOUNT}:archive/${ARCHIVE}`;
export const ruleArn = (key: string) => `arn:aws:events:${REGION}:${ACCOUNT}:rule/${BUS}/${BUS}-${key}`;
/** The rule of every route in the table, by name, sorted as ListRules pages them. */
export const ruleNames = routes.map((r) => `${BUS}-${r.key}`).sort();
export const functionArn = (key: string) => `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${BUS}-${key}`;

/** The error a call rejects with (fails the test if it resolves). */
export async function failure(p: Promise<unknown>): Promise<Error & { name: string }> {
  return p.then(
    () => {
      throw new Error("expected the call to fail");
    },
    (e: Error) => e,
  );
}
