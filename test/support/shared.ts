/** Where the read-only shared data lives: `$BACKBONE_SHARED`, else `shared/` beside the repository clone (as CI lays it out). */
import path from "node:path";

export function sharedDir(): string {
  return process.env.BACKBONE_SHARED ?? path.resolve(__dirname, "../../../shared");
}
