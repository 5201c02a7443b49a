import { Type } from "@sinclair/typebox";
import { defineProcessor } from "./types";

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
  { additionalProperties: true },
);

export default defineProcessor({
  name: "order",
  detailType: "order-created",
  schema: OrderCreated,
  handle() {
    throw new Error("TODO: order processor");
  },
});
