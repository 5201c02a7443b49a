/** The business scenarios of the product description, runnable against any endpoint with the HTTP contract. */
export { formatTable, parseArgs, runScenarios, scenarios, type RunOptions } from "./run";
export { checkAnswer, clip, subsetDiff, type Answer } from "./check";
export type { Scenario, ScenarioResult } from "./types";
