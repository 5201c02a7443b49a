/** Loads the shared conformance corpus (`../shared/conformance/event-patterns.json`, or `$BACKBONE_SHARED`). */
import { existsSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { sharedDir } from "../../support/shared";

/** One (pattern, event) → outcome case; see the corpus README for the fields. */
export interface CorpusCase {
  id: string;
  source: "localstack" | "event-ruler";
  pattern: unknown;
  patternText?: string;
  event: unknown;
  eventText?: string;
  expect: "match" | "no-match" | "invalid-pattern" | "valid-pattern" | "invalid-event";
}

export interface Corpus {
  cases: CorpusCase[];
  validPatterns: { items: CorpusCase[] };
  invalidEvents: { items: CorpusCase[] };
  crossCheck: { arrayConsistencyDependentCases: string[] };
}

export function loadCorpus(): Corpus {
  const file = path.join(sharedDir(), "conformance", "event-patterns.json");
  if (!existsSync(file))
    throw new Error(`Conformance corpus not found at ${file}: set BACKBONE_SHARED to the shared directory`);
  return JSON.parse(readFileSync(file, "utf8")) as Corpus;
}

/** The pattern as the implementation must receive it: the exact text when the corpus has one. */
export const patternInput = (c: CorpusCase): unknown => c.patternText ?? c.pattern;
/** The event as the implementation must receive it: the exact text when the corpus has one. */
export const eventInput = (c: CorpusCase): unknown => c.eventText ?? c.event;
