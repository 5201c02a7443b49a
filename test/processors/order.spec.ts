import { expect } from "chai";
import order, { TAX_RATE, type OrderResult } from "../../processors/order";
import { fixture, harness, NOW, withDetail } from "./helpers";

describe("order processor (order-created)", () => {
  it("uses a documented 10 % tax rate", () => {
    expect(TAX_RATE).to.equal(0.1);
  });

  it("confirms the product description's order (fixture) with totals and a confirmation", async () => {
    const h = harness(order);
    const result = await h.run<OrderResult>(fixture("order-created.seed"));
    expect(result).to.deep.equal({
      orderId: "ORD-12345",
      customerId: "CUST-001",
      status: "confirmed",
      currency: "USD",
      totals: { itemCount: 2, subtotal: 99.99, taxRate: 0.1, tax: 10, total: 109.99 },
      confirmedAt: NOW.toISOString(),
      notificationId: "order-confirmation-ORD-12345",
    });
    expect(h.published).to.deep.equal([
      {
        source: "backbone.order",
        detailType: "notification-sent",
        detail: {
          notificationId: "order-confirmation-ORD-12345",
          recipient: "CUST-001",
          channel: "email",
          template: "order-confirmation",
          data: {
            orderId: "ORD-12345",
            customerId: "CUST-001",
            itemCount: 2,
            total: 109.99,
            currency: "USD",
          },
        },
      },
    ]);
  });

  it("sends the confirmation to the order's e-mail when it has one, in the order's currency", async () => {
    const h = harness(order);
    const result = await h.run<OrderResult>(fixture("order-created.priced"));
    expect(result).to.deep.include({
      status: "confirmed",
      currency: "AUD",
      totals: { itemCount: 3, subtotal: 1249.97, taxRate: 0.1, tax: 125, total: 1374.97 },
    });
    expect(h.published).to.have.length(1);
    expect(h.published[0].detail).to.deep.include({ recipient: "ana@example.com", channel: "email" });
    expect(h.published[0].detail.data).to.deep.include({ total: 1374.97, currency: "AUD", itemCount: 3 });
  });

  describe("totals", () => {
    const cases: { amount: number; items: unknown[]; itemCount: number; tax: number; total: number }[] = [
      { amount: 0, items: ["gift card"], itemCount: 1, tax: 0, total: 0 },
      { amount: 0.05, items: ["sticker"], itemCount: 1, tax: 0.01, total: 0.06 },
      { amount: 0.1 + 0.2, items: ["a", "b"], itemCount: 2, tax: 0.03, total: 0.33 },
      { amount: 10, items: [{ name: "pen", quantity: 4 }, "pad"], itemCount: 5, tax: 1, total: 11 },
      { amount: 1000, items: [{ name: "tv", price: 1000 }], itemCount: 1, tax: 100, total: 1100 },
    ];
    for (const c of cases) {
      it(`amount ${c.amount}, ${JSON.stringify(c.items)} → ${c.itemCount} item(s), tax ${c.tax}, total ${c.total}`, async () => {
        const event = withDetail(fixture("order-created.seed"), { amount: c.amount, items: c.items });
        const result = await harness(order).run<OrderResult>(event);
        if (result.status !== "confirmed") throw new Error(`rejected: ${result.errors.join("; ")}`);
        expect(result.totals).to.include({ itemCount: c.itemCount, tax: c.tax, total: c.total });
      });
    }
  });

  describe("validation (rejected in the result, nothing emitted, no retry)", () => {
    const cases: { name: string; patch: Record<string, unknown>; error: RegExp }[] = [
      { name: "no items", patch: { items: [] }, error: /^items: an order needs at least one item$/ },
      {
        name: "amount differs from fully priced items",
        patch: {
          amount: 50,
          items: [
            { name: "a", price: 20, quantity: 2 },
            { name: "b", price: 5 },
          ],
        },
        error: /^amount: 50 does not match the item prices, which sum to 45$/,
      },
      {
        name: "amount below the partly priced items",
        patch: { amount: 30, items: [{ name: "a", price: 40 }, "b"] },
        error: /^amount: 30 is less than the priced items alone \(40\)$/,
      },
      { name: "negative amount", patch: { amount: -1 }, error: /^amount: must be a non-negative number$/ },
    ];
    for (const c of cases) {
      it(`rejects: ${c.name}`, async () => {
        const h = harness(order);
        const result = await h.run<OrderResult>(withDetail(fixture("order-created.seed"), c.patch));
        if (result.status !== "rejected") throw new Error("expected a rejection");
        expect(result.errors).to.have.length(1);
        expect(result.errors[0]).to.match(c.error);
        expect(h.published).to.deep.equal([]);
      });
    }

    const accepted: { name: string; patch: Record<string, unknown> }[] = [
      {
        name: "prices matching to the cent",
        patch: {
          amount: 0.3,
          items: [
            { name: "a", price: 0.1 },
            { name: "b", price: 0.2 },
          ],
        },
      },
      {
        name: "partly priced items within the amount",
        patch: { amount: 99.99, items: [{ name: "laptop", price: 90 }, "mouse"] },
      },
    ];
    for (const c of accepted) {
      it(`accepts: ${c.name}`, async () => {
        const result = await harness(order).run<OrderResult>(
          withDetail(fixture("order-created.seed"), c.patch),
        );
        expect(result.status).to.equal("confirmed");
      });
    }
  });

  it("is idempotent: the same event id twice gives the same result and one confirmation", async () => {
    const h = harness(order);
    const first = await h.run(fixture("order-created.seed"), NOW);
    const second = await h.run(fixture("order-created.seed"), new Date("2030-01-01T00:00:00Z"));
    expect(second).to.deep.equal(first);
    expect(h.published).to.have.length(1);
  });

  it("processes the same order again under a new event id (a new delivery, not a duplicate)", async () => {
    const h = harness(order);
    await h.run(fixture("order-created.seed"));
    await h.run({ ...fixture("order-created.seed"), id: "another-event-id" });
    expect(h.published).to.have.length(2);
  });
});
