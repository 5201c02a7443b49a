import { SupportTicket } from "./support";
import { defineProcessor } from "./types";

/** Receives only high/urgent support tickets (a content-filtered route): pages the on-call senior team. */
export default defineProcessor({
  name: "escalation",
  detailType: "support-ticket",
  schema: SupportTicket,
  handle() {
    throw new Error("TODO: escalation processor");
  },
});
