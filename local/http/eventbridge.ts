/** `POST /`: EventBridge's JSON API (`local/eventbridge`) on Fastify, with AWS-shaped errors. */
import type { FastifyInstance, FastifyReply } from "fastify";
import { answerAwsCall, awsHeaders, LOCAL_EMIT_AGENT, type AwsAnswer } from "../eventbridge";
import type { HttpContext } from "./context";
import { logRefusal } from "./error-handler";

export function registerEventBridgeApi(app: FastifyInstance, ctx: HttpContext): void {
  app.post("/", async (req, reply) => {
    const target = String(req.headers["x-amz-target"] ?? "");
    const answer = await answerAwsCall(ctx.eventBridge, target, req.body, (name) => {
      const value = req.headers[name];
      return Array.isArray(value) ? value[0] : value;
    });
    // Producers' accepted PutEvents only: not invalid calls, nor this stack's own emits over HTTP (a drain would
    // otherwise hold itself back).
    const ownEmit = String(req.headers["user-agent"] ?? "").includes(LOCAL_EMIT_AGENT);
    if (answer.status === 200 && target.endsWith(".PutEvents") && !ownEmit) {
      const entries = (req.body as { Entries?: unknown } | null)?.Entries;
      ctx.priority?.arrived(Array.isArray(entries) ? entries.length : 1);
    }
    if (answer.status >= 400)
      logRefusal(req.log, req, answer.status, answer.errorType ?? "", messageOf(answer));
    return sendAnswer(reply, answer);
  });
}

/** The `message` of an AWS-style error body (only read for a refusal). */
function messageOf(answer: AwsAnswer): string {
  try {
    return String((JSON.parse(answer.body) as { message?: unknown }).message ?? "");
  } catch {
    return "";
  }
}

function sendAnswer(reply: FastifyReply, answer: AwsAnswer): FastifyReply {
  return reply.code(answer.status).headers(awsHeaders(answer)).send(answer.body);
}
