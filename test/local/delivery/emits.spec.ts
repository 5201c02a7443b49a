/**
 * Declared emits, locally as on Lambda: a processor may emit only the detail-types its `emits` lists; any other
 * emit fails the attempt and publishes nothing.
 */
import { expect } from "chai";
import type { RouteRow } from "../../../infra/table";
import { NotificationSent } from "../../../processors/notification";
import { OrderCreated } from "../../../processors/order";
import { defineProcessor } from "../../../processors/runtime";
import { accept, fixture, request, route, startLocal, waitFor, type Running } from "../helpers";

function emitter(key: string, emits: readonly string[] | undefined): RouteRow {
  return {
    key,
    description: `emits a notification, declaring ${JSON.stringify(emits)}`,
    pattern: { "detail-type": ["order-created"], detail: { orderId: [{ prefix: `${key}-` }] } },
    processor: defineProcessor({
      name: key,
      detailType: "order-created",
      schema: OrderCreated,
      emits,
      async handle(event, ctx) {
        await ctx.emit("notification-sent", {
          recipient: "ada@example.com",
          channel: "email",
          template: "welcome",
          data: { orderId: event.detail.orderId },
        });
        return { emitted: true };
      },
    }),
    retry: { maximumRetryAttempts: 0, maximumEventAgeSeconds: 60 },
  };
}

const sink: RouteRow = {
  key: "sink",
  description: "receives the notifications",
  pattern: { "detail-type": ["notification-sent"] },
  processor: defineProcessor({
    name: "sink",
    detailType: "notification-sent",
    schema: NotificationSent,
    handle: (event) => ({ orderId: (event.detail.data as { orderId?: string } | undefined)?.orderId }),
  }),
  retry: { maximumRetryAttempts: 0, maximumEventAgeSeconds: 60 },
};

describe("local stack: a processor emits only what it declares", function () {
  let server: Running;
  before(async () => {
    server = await startLocal({
      routes: [emitter("declared", ["notification-sent"]), emitter("undeclared", undefined), sink],
    });
  });
  after(async () => {
    await server?.stop();
  });

  const notificationsFor = async (orderId: string): Promise<unknown[]> => {
    const listing = await request(`${server.url}/local/events?detail-type=notification-sent&limit=100`);
    const events = listing.body.events as { event: { detail: { data?: { orderId?: string } } } }[];
    return events.filter((e) => e.event.detail.data?.orderId === orderId);
  };

  it("publishes a declared emit", async () => {
    const id = await accept(server.url, "order-created", {
      ...fixture("order-created.seed").detail,
      orderId: "declared-1",
    });
    expect(route(await waitFor(server.url, id), "declared").status).to.equal("done");
    expect(await notificationsFor("declared-1")).to.have.length(1);
  });

  it("fails the attempt of an undeclared emit with UndeclaredEmit, and publishes nothing", async () => {
    const id = await accept(server.url, "order-created", {
      ...fixture("order-created.seed").detail,
      orderId: "undeclared-1",
    });
    const view = route(await waitFor(server.url, id), "undeclared");
    expect(view.status).to.equal("dead-lettered");
    expect(view.error)
      .to.match(/UndeclaredEmit/)
      .and.to.match(/"notification-sent"/);
    expect(await notificationsFor("undeclared-1")).to.deep.equal([]);
  });
});
