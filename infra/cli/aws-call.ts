/**
 * One place that turns AWS SDK failures into the CLI's two kinds: no connection or no credentials is a
 * `UsageError` (exit 2: the command could not run), an answer from the service is a `CommandFailed` with the
 * service's error name and message (exit 1).
 */
import { CommandFailed, UsageError, unreachable } from "./errors";

/** Awaits `call`, mapping its failure; `what` names the service for messages (`SQS in ap-southeast-2`). */
export async function aws<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    throw awsError(err, what);
  }
}

export function awsError(err: unknown, what: string): Error {
  if (err instanceof UsageError || err instanceof CommandFailed) return err;
  const network = unreachable(err, what);
  if (network instanceof UsageError) return network;
  const e = err as Error & { $metadata?: unknown; name?: string };
  if (e?.name === "CredentialsProviderError") {
    return new UsageError(
      `no AWS credentials for ${what}: ${e.message} (set AWS_PROFILE or AWS_ACCESS_KEY_ID)`,
    );
  }
  if (e?.$metadata !== undefined) return new CommandFailed(`${what}: ${e.name}: ${e.message}`);
  return e instanceof Error ? e : new Error(String(e));
}
