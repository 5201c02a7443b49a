/** EventBridge's request-level errors (HTTP 400 with `__type`), as the JSON protocol answers them. */

/** A request-level AWS error: `type` is the `__type` the SDK turns into its exception class. */
export class AwsError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

/** AWS's wording for a member that breaks a constraint (with the offending value when AWS shows it). */
export function invalidMember(member: string, constraint: string, value?: unknown): AwsError {
  const shown = value === undefined ? "" : `'${String(value)}' `;
  return new AwsError(
    "ValidationException",
    `1 validation error detected: Value ${shown}at '${member}' failed to satisfy constraint: ${constraint}`,
  );
}

/** A parameter AWS refuses for a reason of its own (not a member constraint). */
export const validation = (message: string) => new AwsError("ValidationException", message);

/** The named bus, rule, archive or replay does not exist. */
export const resourceNotFound = (message: string) => new AwsError("ResourceNotFoundException", message);

/** A replay of that name exists. */
export const alreadyExists = (message: string) => new AwsError("ResourceAlreadyExistsException", message);

/** The replay is not in a state that allows the call (CancelReplay of a finished replay). */
export const illegalStatus = (message: string) => new AwsError("IllegalStatusException", message);

/**
 * A write to what the routing table defines. Rule and target calls answer `ManagedRuleException` (AWS's error
 * for a rule another owner manages, in each of those operations' error lists), the rest
 * `OperationDisabledException`; both say where to make the change instead.
 */
export function tableOwned(operation: string, ruleCall: boolean): AwsError {
  return new AwsError(
    ruleCall ? "ManagedRuleException" : "OperationDisabledException",
    `${operation} is not available on the local stack: the routing table (infra/routes.ts) is the source of ` +
      `truth for buses, rules, targets and the archive. Edit the table and restart npm start (on AWS: pulumi up).`,
  );
}
