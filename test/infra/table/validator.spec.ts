/**
 * The catalogue's compiled validator: what the producer client checks before sending (and what the local
 * stack's edge can check with), with messages that name the offending key.
 */
import { expect } from "chai";
import { routes } from "../../../infra/routes";
import { CatalogValidator, eventCatalog } from "../../../infra/table";

const validator = new CatalogValidator(eventCatalog(routes));
const order = { orderId: "O-1", customerId: "C-1", amount: 10, items: ["pen"] };

describe("CatalogValidator (the catalogue's compiled checks)", () => {
  for (const { detailType, examples } of eventCatalog(routes)) {
    it(`accepts every example of ${detailType}`, () => {
      expect(examples).to.not.have.length(0);
      for (const example of examples) expect(validator.problems(detailType, example)).to.deep.equal([]);
    });
  }

  const cases: { title: string; detailType: string; detail: unknown; problems: string[] }[] = [
    {
      title: "an unknown detail-type, listing the known ones",
      detailType: "order-deleted",
      detail: order,
      problems: [`detail-type "order-deleted" is not one of: ${validator.detailTypes.join(", ")}`],
    },
    {
      title: "a detail that is an array",
      detailType: "order-created",
      detail: [order],
      problems: ["detail must be object"],
    },
    {
      title: "a null detail",
      detailType: "order-created",
      detail: null,
      problems: ["detail must be object"],
    },
    {
      title: "missing required keys (at most three messages)",
      detailType: "order-created",
      detail: { customerId: "C" },
      problems: ["detail.orderId is required", "detail.amount is required", "detail.items is required"],
    },
    {
      title: "a wrong type",
      detailType: "order-created",
      detail: { ...order, amount: "10" },
      problems: ["detail.amount must be number"],
    },
    {
      title: "a value outside a union of literals",
      detailType: "support-ticket",
      detail: { ticketId: "T", customerId: "C", priority: "critical", category: "billing", subject: "S" },
      problems: ['detail.priority must be one of "low", "medium", "high", "urgent"'],
    },
    {
      title: "a nested item of no allowed shape",
      detailType: "order-created",
      detail: { ...order, items: [{ quantity: 0 }] },
      problems: ["detail.items[0] does not match any allowed shape"],
    },
    {
      title: "a pattern mismatch",
      detailType: "order-created",
      detail: { ...order, currency: "usd" },
      problems: ["detail.currency: expected string to match '^[A-Z]{3}$'"],
    },
  ];
  for (const c of cases) {
    it(`reports ${c.title}`, () => {
      expect(validator.problems(c.detailType, c.detail)).to.deep.equal(c.problems);
    });
  }

  it("knows the catalogue's detail-types, sorted", () => {
    expect(validator.detailTypes).to.deep.equal([...validator.detailTypes].sort());
    expect(validator.accepts("order-created")).to.equal(true);
    expect(validator.accepts("order-deleted")).to.equal(false);
  });
});
