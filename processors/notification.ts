import { Type } from "@sinclair/typebox";
import { defineProcessor } from "./types";

/** `notification-sent`: a message to one recipient on one channel (also emitted by other processors). */
export const NotificationSent = Type.Object(
  {
    notificationId: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
    recipient: Type.String({ minLength: 1, maxLength: 254 }),
    channel: Type.Union([Type.Literal("email"), Type.Literal("sms"), Type.Literal("push")]),
    template: Type.String({ minLength: 1, maxLength: 64 }),
    data: Type.Optional(Type.Object({}, { additionalProperties: true })),
  },
  { additionalProperties: true },
);

export default defineProcessor({
  name: "notification",
  detailType: "notification-sent",
  schema: NotificationSent,
  handle() {
    throw new Error("TODO: notification processor");
  },
});
