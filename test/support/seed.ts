/**
 * The product description of the system we replace (`../shared/seed/…`, beside the repository, as in CI). Its
 * `curl` request bodies must be accepted exactly as written, so specs read them from the file itself rather
 * than from a copy that could drift.
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { sharedDir } from "./shared";

/** Path of the product description; `BACKBONE_SHARED` overrides the folder that holds `seed/`. */
export const SEED_PATH = resolve(sharedDir(), "seed/000_7c03c2ffc6117bcd.txt");

/** One `curl -d '…'` body of the product description, character for character. */
export interface SeedBody {
  readonly detailType: string;
  readonly text: string;
}

/** Every curl body of the product description (three: order, support ticket, analytics purchase). */
export function seedCurlBodies(): SeedBody[] {
  const text = readFileSync(SEED_PATH, "utf8");
  const bodies = [...text.matchAll(/-d '(\{[\s\S]*?\})'/g)].map((m) => m[1]);
  if (bodies.length === 0) throw new Error(`no curl bodies found in ${SEED_PATH}`);
  return bodies.map((body) => ({
    detailType: (JSON.parse(body) as { "detail-type": string })["detail-type"],
    text: body,
  }));
}
