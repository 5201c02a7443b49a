/**
 * Event sources. The API sets the source (clients cannot), and processors emit with their own source, so a
 * rule can tell ingress from follow-up events. Every source shares one prefix that route patterns match on.
 */
export const SOURCE_PREFIX = "backbone.";
/** Source stamped on every event accepted by `POST /events` (AWS and local). */
export const API_SOURCE = `${SOURCE_PREFIX}api`;
/** Source used by a processor when it emits a follow-up event. */
export function processorSource(processorName: string): string {
  return `${SOURCE_PREFIX}${processorName}`;
}
