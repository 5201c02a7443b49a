import { Type, type Static } from "@sinclair/typebox";
import { defineProcessor } from "./runtime";

/** `order-created`: the product description's e-commerce order. */
export const OrderCreated = Type.Object(
  {
    orderId: Type.String({ minLength: 1, maxLength: 128 }),
    customerId: Type.String({ minLength: 1, maxLength: 128 }),
    amount: Type.Number({ minimum: 0 }),
    currency: Type.Optional(Type.String({ pattern: "^[A-Z]{3}$" })),
    items: Type.Array(
      Type.Union([
        Type.String({ minLength: 1 }),
        Type.Object({
          name: Type.String({ minLength: 1 }),
          quantity: Type.Optional(Type.Integer({ minimum: 1 })),
          price: Type.Optional(Type.Number({ minimum: 0 })),
        }),
      ]),
      { minItems: 1 },
    ),
    email: Type.Optional(Type.String({ minLength: 3 })),
  },
  {
    additionalProperties: true,
    version: 1,
    examples: [
      { orderId: "ORD-12345", customerId: "CUST-001", amount: 99.99, items: ["laptop", "mouse"] },
      {
        orderId: "ORD-20001",
        customerId: "CUST-002",
        amount: 1249.97,
        currency: "AUD",
        email: "ana@example.com",
        items: [
          { name: "laptop", quantity: 1, price: 1199.99 },
          { name: "mouse", quantity: 2, price: 24.99 },
        ],
      },
    ],
  },
);

/**
 * Flat tax rate applied on top of `amount`: 10 %, Australia's GST (the stack's home region is
 * ap-southeast-2). One constant on purpose; real tax depends on jurisdiction and product.
 */
export const TAX_RATE = 0.1;
/**
 * Currency assumed when an order or a purchase (analytics) names none (the product description's examples
 * are in USD).
 */
export const DEFAULT_CURRENCY = "USD";

/** The order processor's result. Money is in major units, rounded to cents. */
export type OrderResult =
  | {
      orderId: string;
      customerId: string;
      status: "confirmed";
      currency: string;
      totals: { itemCount: number; subtotal: number; taxRate: number; tax: number; total: number };
      confirmedAt: string;
      notificationId: string;
    }
  | { orderId: string; customerId: string; status: "rejected"; errors: string[] };

type Order = Static<typeof OrderCreated>;

const toCents = (amount: number) => Math.round(amount * 100);

/**
 * Business validation beyond the schema (the processor also receives events that never crossed the API).
 * `amount` is the pre-tax merchandise subtotal: when every item has a price it must equal the sum of
 * price × quantity to the cent; when only some do, their sum must not exceed it.
 */
export function validateOrder(order: Order): string[] {
  const errors: string[] = [];
  const items = Array.isArray(order.items) ? order.items : [];
  if (items.length === 0) errors.push("items: an order needs at least one item");
  if (!Number.isFinite(order.amount) || order.amount < 0)
    errors.push("amount: must be a non-negative number");
  const priced = items.filter((i) => typeof i === "object" && typeof i.price === "number");
  if (errors.length === 0 && priced.length > 0) {
    const pricedCents = priced.reduce(
      (sum, i) => sum + (typeof i === "object" ? toCents((i.price ?? 0) * (i.quantity ?? 1)) : 0),
      0,
    );
    const amountCents = toCents(order.amount);
    if (priced.length === items.length && pricedCents !== amountCents) {
      errors.push(
        `amount: ${order.amount} does not match the item prices, which sum to ${pricedCents / 100}`,
      );
    } else if (pricedCents > amountCents) {
      errors.push(`amount: ${order.amount} is less than the priced items alone (${pricedCents / 100})`);
    }
  }
  return errors;
}

/** Totals in cents, to avoid floating-point drift; tax is rounded half-up to the cent. */
export function orderTotals(order: Order): {
  itemCount: number;
  subtotal: number;
  taxRate: number;
  tax: number;
  total: number;
} {
  const itemCount = order.items.reduce((n, i) => n + (typeof i === "string" ? 1 : (i.quantity ?? 1)), 0);
  const subtotalCents = toCents(order.amount);
  const taxCents = Math.round(subtotalCents * TAX_RATE);
  return {
    itemCount,
    subtotal: subtotalCents / 100,
    taxRate: TAX_RATE,
    tax: taxCents / 100,
    total: (subtotalCents + taxCents) / 100,
  };
}

/**
 * Order processing: validate, compute totals, confirm, and emit the order confirmation as a
 * `notification-sent` event (to the order's e-mail if given, else to the customer id). Invalid orders are
 * rejected in the result rather than thrown: retrying cannot fix them.
 */
export default defineProcessor({
  name: "order",
  detailType: "order-created",
  schema: OrderCreated,
  emits: ["notification-sent"],
  async handle(event, ctx): Promise<OrderResult> {
    const order = event.detail;
    const errors = validateOrder(order);
    if (errors.length > 0) {
      ctx.log.warn("order rejected", { orderId: order.orderId, errors });
      return { orderId: order.orderId, customerId: order.customerId, status: "rejected", errors };
    }
    const currency = order.currency ?? DEFAULT_CURRENCY;
    const totals = orderTotals(order);
    const notificationId = `order-confirmation-${order.orderId}`;
    await ctx.emit("notification-sent", {
      notificationId,
      recipient: order.email ?? order.customerId,
      channel: "email",
      template: "order-confirmation",
      data: {
        orderId: order.orderId,
        customerId: order.customerId,
        itemCount: totals.itemCount,
        total: totals.total,
        currency,
      },
    });
    ctx.log.info("order confirmed", { orderId: order.orderId, total: totals.total, currency });
    return {
      orderId: order.orderId,
      customerId: order.customerId,
      status: "confirmed",
      currency,
      totals,
      confirmedAt: ctx.now().toISOString(),
      notificationId,
    };
  },
});
