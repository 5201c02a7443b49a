import { Type, type Static } from "@sinclair/typebox";
import { defineProcessor } from "./runtime";

/** `notification-sent`: a message to one recipient on one channel (also emitted by other processors). */
export const NotificationSent = Type.Object(
  {
    notificationId: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
    recipient: Type.String({ minLength: 1, maxLength: 254 }),
    channel: Type.Union([Type.Literal("email"), Type.Literal("sms"), Type.Literal("push")]),
    template: Type.String({ minLength: 1, maxLength: 64 }),
    data: Type.Optional(Type.Object({}, { additionalProperties: true })),
  },
  {
    additionalProperties: true,
    version: 1,
    examples: [
      {
        recipient: "ada@example.com",
        channel: "email",
        template: "welcome",
        data: { name: "Ada", plan: "pro" },
      },
      {
        notificationId: "NOTIF-001",
        recipient: "+61 400 000 000",
        channel: "sms",
        template: "shipping-update",
        data: { orderId: "ORD-20001", carrier: "Australia Post", trackingNumber: "AP123456789" },
      },
    ],
  },
);

export type Channel = Static<typeof NotificationSent>["channel"];

/** A template: `{{field}}` placeholders filled from the notification's `data`. */
export interface Template {
  subject: string;
  body: string;
}

/** The known templates. A plain object (not a Map) so the Lambda closure can carry it. */
export const TEMPLATES: Readonly<Record<string, Template>> = {
  "order-confirmation": {
    subject: "Order {{orderId}} confirmed",
    body: "Thank you for your order {{orderId}}: {{itemCount}} item(s), total {{total}} {{currency}}.",
  },
  "shipping-update": {
    subject: "Order {{orderId}} has shipped",
    body: "Your order {{orderId}} is on its way with {{carrier}}, tracking number {{trackingNumber}}.",
  },
  welcome: {
    subject: "Welcome, {{name}}!",
    body: "Hi {{name}}, welcome aboard. Your {{plan}} plan is ready; start by verifying your e-mail address.",
  },
  "ticket-escalated": {
    subject: "[{{priority}}] ticket {{ticketId}} escalated",
    body: "[{{priority}}] Ticket {{ticketId}} ({{category}}) for {{team}}: {{subject}}. Due {{deadline}}.",
  },
};

/**
 * Used for a template we do not know: still tells the recipient something happened, and shows every field the
 * notification carries (`{{fields}}`: `: key=value, …`), so a new event type's notification is readable before
 * anyone writes its template.
 */
export const GENERIC_TEMPLATE: Template = {
  subject: "You have a new notification",
  body: "You have a new notification ({{template}}){{fields}}.",
};

/** The generic message's `{{fields}}`: every scalar field of `data`; the others cannot be shown and are reported. */
export function listFields(data: Record<string, unknown>): { text: string; skipped: string[] } {
  const shown: string[] = [];
  const skipped: string[] = [];
  for (const [key, value] of Object.entries(data)) {
    if (typeof value === "string" || typeof value === "number" || typeof value === "boolean")
      shown.push(`${key}=${String(value)}`);
    else skipped.push(key);
  }
  return { text: shown.length > 0 ? `: ${shown.join(", ")}` : "", skipped };
}

/** SMS segment length; longer bodies are cut with an ellipsis. */
export const SMS_MAX_CHARS = 160;

const EMAIL = /^[^@\s]+@[^@\s]+$/;
/** E.164-ish phone numbers, or an on-call rota alias that the paging provider resolves to phones. */
const SMS_ADDRESS = /^(\+?[0-9][0-9 ()-]{5,19}|oncall:[a-z0-9-]+)$/;

/**
 * Channel choice: the requested channel when the recipient is addressable on it, otherwise `push` (which
 * addresses a user or customer id in the app). E.g. an order confirmation for an order without e-mail is
 * sent to the customer id, so it goes out as a push notification.
 */
export function pickChannel(requested: Channel, recipient: string): { channel: Channel; reason: string } {
  if (requested === "email" && !EMAIL.test(recipient)) {
    return { channel: "push", reason: "recipient is not an e-mail address" };
  }
  if (requested === "sms" && !SMS_ADDRESS.test(recipient)) {
    return { channel: "push", reason: "recipient is not a phone number or on-call alias" };
  }
  return { channel: requested, reason: "requested" };
}

/** Fills `{{field}}` from `data`; missing or non-scalar fields render empty and are reported. */
export function render(text: string, data: Record<string, unknown>): { text: string; missing: string[] } {
  const missing: string[] = [];
  const out = text.replace(/\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g, (_m, field: string) => {
    const value = Object.prototype.hasOwnProperty.call(data, field) ? data[field] : undefined;
    if (typeof value === "string" || typeof value === "number" || typeof value === "boolean")
      return String(value);
    missing.push(field);
    return "";
  });
  return { text: out, missing };
}

/** The notification processor's result: what would be handed to the e-mail/SMS/push provider. */
export interface NotificationResult {
  notificationId: string;
  recipient: string;
  channel: Channel;
  requestedChannel: Channel;
  channelReason: string;
  template: string;
  templateKnown: boolean;
  message: { subject?: string; body: string };
  missingFields: string[];
}

/** Notifications: pick the channel and render the message (unknown template → generic message). */
export default defineProcessor({
  name: "notification",
  detailType: "notification-sent",
  schema: NotificationSent,
  handle(event, ctx): NotificationResult {
    const n = event.detail;
    const templateKnown = Object.prototype.hasOwnProperty.call(TEMPLATES, n.template);
    const template = templateKnown ? TEMPLATES[n.template] : GENERIC_TEMPLATE;
    const data: Record<string, unknown> = { template: n.template, ...(n.data ?? {}) };
    const listed = templateKnown ? { text: "", skipped: [] } : listFields(n.data ?? {});
    if (!templateKnown) data.fields = listed.text;
    const subject = render(template.subject, data);
    const body = render(template.body, data);
    const { channel, reason } = pickChannel(n.channel, n.recipient);
    let message: NotificationResult["message"];
    if (channel === "sms") {
      // SMS has no subject; keep it to one segment.
      const text = body.text.length > SMS_MAX_CHARS ? body.text.slice(0, SMS_MAX_CHARS - 1) + "…" : body.text;
      message = { body: text };
    } else {
      message = { subject: subject.text, body: body.text };
    }
    const missingFields = [...new Set([...subject.missing, ...body.missing, ...listed.skipped])].sort();
    if (!templateKnown) ctx.log.warn("unknown template; sent the generic message", { template: n.template });
    if (missingFields.length > 0)
      ctx.log.warn("template fields missing", { template: n.template, missingFields });
    ctx.log.info("notification rendered", { channel, template: n.template });
    return {
      notificationId: n.notificationId ?? `notification-${event.id}`,
      recipient: n.recipient,
      channel,
      requestedChannel: n.channel,
      channelReason: reason,
      template: n.template,
      templateKnown,
      message,
      missingFields,
    };
  },
});
