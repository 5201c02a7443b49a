/**
 * What the bus archive keeps, for both engines: the events that entered through the API. A processor's
 * follow-ups are left out, since replaying their cause emits them again (kept, they would be delivered twice).
 * The cloud stack's `EventArchive` and the local stack's replay read the same pattern and description.
 */
import { API_SOURCE } from "../../processors/runtime";
import type { EventPattern } from "./row";

/** The archive's event pattern: only what the API put on the bus. */
export const ARCHIVE_PATTERN: EventPattern = { source: [API_SOURCE] };

/** The archive's description, as `DescribeArchive` shows it. */
export const ARCHIVE_DESCRIPTION = "Events accepted by POST /events (not the follow-ups), for replay";
