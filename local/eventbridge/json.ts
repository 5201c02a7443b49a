/**
 * JSON as the edge reads it: `JSON.parse`, refusing `__proto__` keys anywhere (a prototype-pollution vector once
 * the object is spread or merged by a processor). One parser for `POST /events`, EventBridge's API and its
 * `Detail` strings; each caller turns `JsonError` into its own protocol's error.
 */

/** The text is not JSON, or holds a refused key. `message` says which. */
export class JsonError extends Error {
  override readonly name = "JsonError";
}

/** Parses `text`; throws `JsonError`. The full walk only runs when the text could contain a refused key. */
export function parseJson(text: string): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new JsonError(`body is not valid JSON: ${(err as Error).message}`);
  }
  if (text.includes("__proto__") || text.includes("\\u")) {
    const bad = findProtoKey(value, "body");
    if (bad) throw new JsonError(`${bad} is not allowed`);
  }
  return value;
}

function findProtoKey(value: unknown, at: string): string | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  for (const key of Object.keys(value)) {
    const here = Array.isArray(value) ? `${at}[${key}]` : `${at}.${key}`;
    if (key === "__proto__") return here;
    const inner = findProtoKey((value as Record<string, unknown>)[key], here);
    if (inner) return inner;
  }
  return undefined;
}

/** A JSON object (not an array, not null). */
export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
