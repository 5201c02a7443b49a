/** The normalized form of a validated event pattern, shared by the compiler and the validator. */

/** A JSON leaf value as it appears in an event or a pattern. */
export type Scalar = string | number | boolean | null;

/** One condition from a pattern's value list; a field matches when ANY of its conditions does. */
export type Cond =
  | { kind: "exact"; value: Scalar }
  | { kind: "prefix"; text: string; ignoreCase: boolean }
  | { kind: "suffix"; text: string; ignoreCase: boolean }
  /** `text` is already lower-cased. */
  | { kind: "equalsIgnoreCase"; text: string }
  | { kind: "numeric"; lower: number; lowerInclusive: boolean; upper: number; upperInclusive: boolean }
  | { kind: "exists"; exists: boolean }
  | { kind: "cidr"; bytes: Uint8Array; bits: number }
  | { kind: "wildcard"; segments: string[] }
  /** Matches a present value that matches none of `inner`. */
  | { kind: "anythingBut"; inner: Cond[] };

/** A leaf of the pattern: the flattened event path (keys joined with ".") and its alternatives. */
export interface Field {
  path: string;
  conds: Cond[];
}

/** One `$or`-free alternative of a pattern: every field must match. */
export type Branch = Field[];

/** EventBridge's default maximum pattern size, in characters. */
export const MAX_PATTERN_CHARS = 2048;
/** EventBridge's limit on the number of `$or` combinations of one pattern. */
export const MAX_OR_COMBINATIONS = 1000;
