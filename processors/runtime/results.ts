/**
 * Processor results as both stores keep them (the local stack's SQLite rows, Lambda's DynamoDB table): JSON text
 * of at most `maxBytes` UTF-8 bytes. A larger result is kept as
 * `{"truncated": true, "bytes": <its full size>, "head": "<its JSON text, cut to fit>"}`, so a processor that
 * returns a large result costs a bounded row instead of failing the write (DynamoDB refuses items over 400 KB,
 * after the processor has run, and Lambda would retry it to the failure queue).
 */

/** What a stored result is cut to, on both engines (`maxResultBytes` of the local stack by default). */
export const MAX_RESULT_BYTES = 256 * 1024;

/** `json` if it fits in `maxBytes`, else the truncation marker (itself within `maxBytes`). */
export function capJson(json: string, maxBytes: number): string {
  // UTF-8 takes at most 3 bytes per UTF-16 unit: most results are far below the cap and skip the count.
  if (json.length * 3 <= maxBytes) return json;
  const bytes = Buffer.byteLength(json);
  if (bytes <= maxBytes) return json;
  let cut = Math.max(0, maxBytes - 128);
  for (;;) {
    const marker = JSON.stringify({ truncated: true, bytes, head: json.slice(0, cut) });
    const size = Buffer.byteLength(marker);
    if (size <= maxBytes || cut === 0) return marker;
    // Escapes and multi-byte characters made it larger than its cut: shrink in proportion, and a little more.
    cut = Math.max(0, Math.floor((cut * maxBytes) / size) - 64);
  }
}
