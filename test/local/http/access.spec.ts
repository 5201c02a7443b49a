/**
 * Who may call the local stack: requests naming another host (DNS rebinding) or coming from another site's
 * page get 403 in the contract's shape (AWS's shape on EventBridge's API); listening beyond loopback needs a
 * token, which every request then carries, as a bearer token or as an EventBridge client's access key id.
 */
import { EventBridgeClient, PutEventsCommand } from "@aws-sdk/client-eventbridge";
import { expect } from "chai";
import { buildApp } from "../../../local/app";
import { StartError } from "../../../local/options";
import { request as httpRequest } from "node:http";
import pino from "pino";
import {
  capturingLogger,
  fixture,
  request,
  startLocal,
  tempDir,
  withStack,
  type Reply,
  type Running,
} from "../helpers";

const order = fixture("order-created.seed").detail;
const body = { "detail-type": "order-created", detail: order };

/**
 * `request` through node:http, which sends a `Host` header as given (fetch replaces it with the URL's host).
 */
function send(url: string, init: { body?: unknown; headers?: Record<string, string> } = {}): Promise<Reply> {
  const text = init.body === undefined ? undefined : JSON.stringify(init.body);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      url,
      {
        method: text === undefined ? "GET" : "POST",
        headers: { ...(text === undefined ? {} : { "content-type": "application/json" }), ...init.headers },
      },
      (res) => {
        let data = "";
        res.on("data", (chunk: Buffer) => (data += chunk.toString()));
        res.on("end", () => {
          let parsed: Record<string, unknown> = {};
          try {
            parsed = JSON.parse(data) as Record<string, unknown>;
          } catch {
            // `text` shows it.
          }
          resolve({ status: res.statusCode ?? 0, headers: new Headers(), body: parsed, text: data });
        });
      },
    );
    req.on("error", reject);
    req.end(text);
  });
}

describe("local stack: access", function () {
  describe("Host and Origin", () => {
    let server: Running;
    let port: string;
    before(async () => {
      server = await startLocal({ allowedHosts: ["bus.example.lan"] });
      port = new URL(server.url).port;
    });
    after(async () => {
      await server?.stop();
    });

    const refused: [name: string, headers: () => Record<string, string>, message: RegExp][] = [
      [
        "a Host that is not a loopback name (DNS rebinding)",
        () => ({ host: `evil.example:${port}` }),
        /Host/,
      ],
      [
        "a Host that only starts like a loopback address",
        () => ({ host: `127.0.0.1.evil.example:${port}` }),
        /Host/,
      ],
      ["an Origin of another site", () => ({ origin: "https://evil.example" }), /another site/],
      ["an Origin on another port of this machine", () => ({ origin: "http://127.0.0.1:1" }), /another site/],
      ["the null Origin of a sandboxed page", () => ({ origin: "null" }), /another site/],
      ["Sec-Fetch-Site: cross-site", () => ({ "sec-fetch-site": "cross-site" }), /Sec-Fetch-Site/],
    ];
    for (const [name, headers, message] of refused) {
      it(`answers 403 Forbidden to ${name}, on POST /events and GET /local/health`, async () => {
        for (const [path, init] of [
          ["/events", { body }],
          ["/local/health", {}],
        ] as const) {
          const reply = await send(`${server.url}${path}`, { ...init, headers: headers() });
          expect(reply.status, `${path}: ${reply.text}`).to.equal(403);
          expect(reply.body.error).to.equal("Forbidden");
          expect(reply.body.message).to.match(message);
        }
      });
    }

    it("answers EventBridge's API with AccessDeniedException for another site's page", async () => {
      const reply = await request(`${server.url}/`, {
        body: '{"Entries":[]}',
        headers: {
          "content-type": "application/x-amz-json-1.1",
          "x-amz-target": "AWSEvents.PutEvents",
          origin: "https://evil.example",
        },
      });
      expect(reply.status).to.equal(403);
      expect(reply.body.__type).to.equal("AccessDeniedException");
    });

    const accepted: [name: string, headers: () => Record<string, string>][] = [
      ["localhost", () => ({ host: `localhost:${port}` })],
      ["a *.localhost name", () => ({ host: `console.localhost:${port}` })],
      ["a configured host name", () => ({ host: `BUS.example.lan:${port}` })],
      ["its own origin (the console's page)", () => ({ origin: `http://127.0.0.1:${port}` })],
      ["Sec-Fetch-Site: same-origin", () => ({ "sec-fetch-site": "same-origin" })],
    ];
    for (const [name, headers] of accepted) {
      it(`accepts ${name}`, async () => {
        const reply = await send(`${server.url}/events`, { body, headers: headers() });
        expect(reply.status, reply.text).to.equal(202);
      });
    }
  });

  describe("the token", () => {
    const token = "t0ken-for-the-test";
    let server: Running;
    withStack((s) => (server = s), { token });

    it("refuses requests without it or with another one, on every endpoint", async () => {
      for (const authorization of [undefined, "Bearer wrong", `Basic ${token}`]) {
        for (const [path, init] of [
          ["/events", { body }],
          ["/local/health", {}],
          ["/local/dlq", {}],
        ] as const) {
          const headers = authorization ? { authorization } : undefined;
          const reply = await request(`${server.url}${path}`, { ...init, headers });
          expect(reply.status, `${path} with ${authorization}`).to.equal(403);
          expect(reply.body.message).to.match(/requires its token/);
        }
      }
    });

    it("accepts a bearer token", async () => {
      const reply = await request(`${server.url}/events`, {
        body,
        headers: { authorization: `Bearer ${token}` },
      });
      expect(reply.status, reply.text).to.equal(202);
    });

    it("accepts an EventBridge client whose access key id is the token, and refuses another one", async () => {
      const client = (accessKeyId: string) =>
        new EventBridgeClient({
          endpoint: server.url,
          region: "ap-southeast-2",
          credentials: { accessKeyId, secretAccessKey: "not checked" },
          maxAttempts: 1,
        });
      const entries = [
        {
          Source: "backbone.crm",
          DetailType: "order-created",
          Detail: JSON.stringify(order),
          EventBusName: "backbone",
        },
      ];
      const good = client(token);
      const bad = client("someone-else");
      try {
        const out = await good.send(new PutEventsCommand({ Entries: entries }));
        expect(out.FailedEntryCount).to.equal(0);
        const err = await bad.send(new PutEventsCommand({ Entries: entries })).then(
          () => undefined,
          (e: Error) => e,
        );
        expect(err?.name).to.equal("AccessDeniedException");
      } finally {
        good.destroy();
        bad.destroy();
      }
    });
  });

  describe("the token, for the web console (a browser cannot add a header to a page it opens)", () => {
    const token = "t0ken/for the console";
    let server: Running;
    withStack((s) => (server = s), { token });
    const cookie = `backbone_token=${encodeURIComponent(token)}`;

    it("lets it in once through /console?token=: an HttpOnly SameSite=Strict cookie, and the token out of the URL", async () => {
      const login = await fetch(`${server.url}/console?token=${encodeURIComponent(token)}`, {
        redirect: "manual",
      });

      expect(login.status).to.equal(303);
      expect(login.headers.get("location")).to.equal("/console");
      expect(login.headers.getSetCookie()).to.deep.equal([`${cookie}; Path=/; HttpOnly; SameSite=Strict`]);
      const page = await request(`${server.url}/console`, { headers: { cookie } });
      expect(page.status).to.equal(200);
      expect(page.text).to.match(/<html/i);
      const health = await request(`${server.url}/local/health`, { headers: { cookie } });
      expect(health.status).to.equal(200);
      const posted = await request(`${server.url}/events`, {
        body,
        headers: { cookie, origin: server.url, "sec-fetch-site": "same-origin" },
      });
      expect(posted.status, posted.text).to.equal(202);
    });

    it("refuses another token, in the URL or in the cookie, saying how the console gets in", async () => {
      const cases: [string, Record<string, string>][] = [
        ["/console?token=wrong", {}],
        ["/console", {}],
        ["/local/health?token=" + encodeURIComponent(token), {}],
        ["/local/health", { cookie: "backbone_token=wrong" }],
        ["/local/health", { cookie: `other=${encodeURIComponent(token)}` }],
      ];
      for (const [path, headers] of cases) {
        const reply = await request(`${server.url}${path}`, { headers });
        expect(reply.status, `${path} ${JSON.stringify(headers)}`).to.equal(403);
        expect(reply.body.message).to.match(/\/console\?token=<BACKBONE_TOKEN>/);
      }
    });

    it("does not let another site's page in with the cookie", async () => {
      const reply = await request(`${server.url}/events`, {
        body,
        headers: { cookie, origin: "http://evil.example" },
      });
      expect(reply.status).to.equal(403);
    });

    it("keeps a token in the URL out of the log of a refused request", async () => {
      const log = capturingLogger();
      const logged = await startLocal({ token, logger: log.logger });
      try {
        expect((await request(`${logged.url}/console?token=near-${token}`)).status).to.equal(403);
      } finally {
        await logged.stop();
      }
      const refusal = log.lines().find((l) => l.msg === "request refused");
      expect(refusal?.url).to.equal("/console?token=<redacted>");
      expect(JSON.stringify(log.lines())).to.not.include("near-");
    });
  });

  describe("listening beyond loopback", () => {
    it("refuses HOST=0.0.0.0 without a token, saying what to set", async () => {
      const { dir, remove } = tempDir();
      const local = buildApp({ dbPath: `${dir}/bus.db` });
      try {
        const err = await local.listen({ port: 0, host: "0.0.0.0" }).then(
          () => undefined,
          (e: Error) => e,
        );
        expect(err).to.be.instanceOf(StartError);
        expect(err?.message).to.match(/HOST=0\.0\.0\.0 .*BACKBONE_TOKEN/);
        expect(local.app.server.listening).to.equal(false);
      } finally {
        await local.close();
        remove();
      }
    });

    it("listens with a token, warns, and still needs the token (from loopback too)", async () => {
      const { dir, remove } = tempDir();
      const warnings: string[] = [];
      const logger = pino({ level: "warn" }, { write: (line: string) => void warnings.push(line) });
      const local = buildApp({ dbPath: `${dir}/bus.db`, token: "s3cret", logger });
      try {
        const url = await local.listen({ port: 0, host: "0.0.0.0" });
        const port = new URL(url).port;
        expect(warnings.join("")).to.match(/listening beyond loopback/);
        const without = await request(`http://127.0.0.1:${port}/local/health`);
        expect(without.status).to.equal(403);
        const withToken = await request(`http://127.0.0.1:${port}/local/health`, {
          headers: { authorization: "Bearer s3cret" },
        });
        expect(withToken.status).to.equal(200);
      } finally {
        await local.close();
        remove();
      }
    });
  });
});
