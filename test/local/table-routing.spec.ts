/**
 * Every row of the routing table on the local stack, driven by its schema's examples: the first example the row's
 * pattern matches (`sampleEventFor`), POSTed to /events as a producer would, is accepted, reaches the row's route
 * and is finished there by the row's processor in its worker. Table-driven: a new row is covered with no edit
 * here (test/infra/table/add-event-type.spec.ts runs this spec on a type added the README's way).
 */
import { expect } from "chai";
import { routes } from "../../infra/routes";
import { sampleEventFor } from "../processors/helpers";
import { postEvent, route, waitFor, withStack, type Running } from "./helpers";

describe("local stack: every row of the routing table, with its schema's examples", function () {
  this.timeout(60_000);
  let server: Running;
  withStack((s) => (server = s));

  for (const row of routes) {
    it(`route ${row.key}: an example of ${row.processor.detailType} is accepted, routed to it and done`, async () => {
      const sample = sampleEventFor(row);

      const accepted = await postEvent(server.url, sample["detail-type"], sample.detail);
      const id = (accepted.body as { eventId: string }).eventId;
      const settled = (v: Parameters<typeof route>[0]) =>
        ["done", "retrying", "dead"].includes(route(v, row.key).status);
      const view = await waitFor(server.url, id, settled, 20_000);

      expect(accepted.status, JSON.stringify(accepted.body)).to.equal(202);
      expect(route(view, row.key)).to.deep.include({ status: "done", attempts: 1 });
    });
  }
});
