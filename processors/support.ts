import { Type } from "@sinclair/typebox";
import { defineProcessor } from "./types";

/** `support-ticket`: the product description's support ticket. */
export const SupportTicket = Type.Object(
  {
    ticketId: Type.String({ minLength: 1, maxLength: 128 }),
    customerId: Type.String({ minLength: 1, maxLength: 128 }),
    priority: Type.Union([Type.Literal("low"), Type.Literal("medium"), Type.Literal("high"), Type.Literal("urgent")]),
    category: Type.String({ minLength: 1, maxLength: 64 }),
    subject: Type.String({ minLength: 1, maxLength: 256 }),
    description: Type.Optional(Type.String({ maxLength: 10000 })),
  },
  { additionalProperties: true },
);

export default defineProcessor({
  name: "support",
  detailType: "support-ticket",
  schema: SupportTicket,
  handle() {
    throw new Error("TODO: support processor");
  },
});
