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

/** AWS's wording for a member that breaks a constraint. */
export function invalidMember(member: string, constraint: string): AwsError {
  return new AwsError(
    "ValidationException",
    `1 validation error detected: Value at '${member}' failed to satisfy constraint: ${constraint}`,
  );
}
