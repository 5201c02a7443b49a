/**
 * Processor results as the store keeps them: JSON text of at most `maxBytes` UTF-8 bytes. A larger result is
 * kept as `{"truncated": true, "bytes": <its full size>, "head": "<its JSON text, cut to fit>"}`, in the delivery
 * row and the idempotency table alike, so one processor returning 100 MB costs a bounded row, not 100 MB twice.
 */

/** `JSON.stringify(result ?? null)`, capped at `maxBytes`. */
export function resultJson(result: unknown, maxBytes: number): string {
  return capJson(JSON.stringify(result ?? null) ?? "null", maxBytes);
}

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
