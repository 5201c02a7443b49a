/**
 * Body parsing: only JSON media types (`application/json`, and `application/x-amz-json-1.1` for EventBridge's
 * API) are parsed, as bytes: a `charset` other than UTF-8 is a 415 (JSON is UTF-8, RFC 8259), bytes that are not
 * UTF-8 are a 400 (never replaced with U+FFFD), then the edge's one JSON reader (`local/eventbridge/json.ts`).
 * Every other media type is a 415 from Fastify, mapped by `error-handler.ts`.
 */
import type { FastifyInstance } from "fastify";
import { AMZ_JSON, decodeUtf8, JsonError, MAX_ENTRY_BYTES, parseJson } from "../eventbridge";
import { badRequest, unsupportedMediaType } from "./errors";

/**
 * Fastify refuses bodies above this before parsing (413). EventBridge counts an entry's UTF-8 bytes, but clients
 * may escape its text: Python's `json` and botocore (the aws CLI) send every non-ASCII character as `\uXXXX`, so
 * a 4-byte emoji takes 12 bytes on the wire, and a PutEvents body carries each `Detail` escaped once more. Three
 * times the entry limit admits any entry within it as those clients send it; an entry over the limit that fits
 * here gets the entry-size answer (413 on `POST /events`, AWS's validation error on PutEvents). Memory: at most
 * `maxConnections` bodies of this size are buffered at once.
 */
export const BODY_LIMIT = 3 * MAX_ENTRY_BYTES + 64 * 1024;

/** `charset` names of UTF-8 (compared lowercased). */
const UTF8 = new Set(["utf-8", "utf8"]);

export function registerParsers(app: FastifyInstance): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(
    ["application/json", AMZ_JSON],
    { parseAs: "buffer", bodyLimit: BODY_LIMIT },
    (req, body, done) => {
      try {
        const charset = charsetOf(req.headers["content-type"]);
        if (charset !== undefined && !UTF8.has(charset)) {
          throw unsupportedMediaType(`charset=${charset} is not supported: JSON bodies must be UTF-8`);
        }
        done(null, parseJson(decodeUtf8(body as Buffer)));
      } catch (err) {
        done(err instanceof JsonError ? badRequest(err.message) : (err as Error), undefined);
      }
    },
  );
}

/** The `charset` parameter of a Content-Type, lowercased, if any. */
function charsetOf(contentType: string | undefined): string | undefined {
  if (contentType === undefined || !contentType.includes("=")) return undefined;
  const m = /;\s*charset\s*=\s*(?:"([^"]*)"|([^;\s]*))/i.exec(contentType);
  return m ? (m[1] ?? m[2]).toLowerCase() : undefined;
}
