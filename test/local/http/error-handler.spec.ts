/**
 * The one error handler maps what a route throws to the contract: a storage fault, or a SQLite error from a read
 * behind an ops endpoint (a damaged page, an I/O error), is a 503 with `Retry-After`, never a 500 or a crash;
 * on EventBridge's API the same is AWS's `ServiceUnavailable`. Anything else unexpected stays a 500.
 */
import { expect } from "chai";
import Fastify, { type FastifyInstance } from "fastify";
import { registerErrorHandling } from "../../../local/http/error-handler";
import { StorageFault } from "../../../local/store";

/** A SQLite error as better-sqlite3 throws it. */
const sqliteError = (code: string, message: string) => Object.assign(new Error(message), { code });

describe("local stack: the error handler", function () {
  let app: FastifyInstance;
  let thrown: Error;
  before(async () => {
    app = Fastify();
    registerErrorHandling(app);
    app.get("/local/thing", async () => {
      throw thrown;
    });
    app.post("/", async () => {
      throw thrown;
    });
    await app.ready();
  });
  after(async () => {
    await app.close();
  });

  const cases: [name: string, make: () => Error, status: number, contract: string, aws: string][] = [
    [
      "a storage fault",
      () => new StorageFault("full", "bus.db: the disk is full"),
      503,
      "ServiceUnavailable",
      "ServiceUnavailable",
    ],
    [
      "a damaged page read behind an ops endpoint",
      () => sqliteError("SQLITE_CORRUPT", "database disk image is malformed"),
      503,
      "ServiceUnavailable",
      "ServiceUnavailable",
    ],
    [
      "an I/O error",
      () => sqliteError("SQLITE_IOERR_READ", "disk I/O error"),
      503,
      "ServiceUnavailable",
      "ServiceUnavailable",
    ],
    ["a bug", () => new TypeError("x is undefined"), 500, "InternalError", "InternalException"],
  ];
  for (const [name, make, status, contract, aws] of cases) {
    it(`answers ${status} ${contract} (${aws} on EventBridge's API) to ${name}`, async () => {
      thrown = make();
      const reply = await app.inject({ method: "GET", url: "/local/thing" });
      expect(reply.statusCode).to.equal(status);
      expect(reply.json()).to.include({ error: contract });
      if (status === 503) expect(reply.headers["retry-after"]).to.equal("1");

      const viaApi = await app.inject({ method: "POST", url: "/", payload: {} });
      expect(viaApi.statusCode).to.equal(status);
      expect(viaApi.json()).to.include({ __type: aws });
      expect(viaApi.headers["x-amzn-errortype"]).to.equal(aws);
      if (status === 503) expect(viaApi.headers["retry-after"]).to.equal("1");
    });
  }
});
