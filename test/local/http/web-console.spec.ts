/**
 * How `/console` is served (the page itself runs in `console.spec.ts`): the page and its modules from memory
 * with their types, a Content-Security-Policy that keeps the page to its own origin, and a 404 in the error
 * catalogue's shape for any other name (a path never reaches the file system).
 */
import { expect } from "chai";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { request, ROOT, withStack, type Running } from "../helpers";

const DIR = join(ROOT, "local/http/console");

describe("local stack: /console is served from memory, same-origin only", function () {
  let server: Running;
  withStack((s) => (server = s));

  it("answers the page at /console and /console/, with a CSP allowing only its own origin", async () => {
    for (const path of ["/console", "/console/"]) {
      const res = await fetch(`${server.url}${path}`);
      expect(res.status, path).to.equal(200);
      expect(res.headers.get("content-type")).to.equal("text/html; charset=utf-8");
      const csp = res.headers.get("content-security-policy") ?? "";
      expect(csp).to.contain("default-src 'none'");
      for (const directive of [
        "script-src 'self'",
        "style-src 'self'",
        "connect-src 'self'",
        "frame-ancestors 'none'",
      ]) {
        expect(csp).to.contain(directive);
      }
      expect(res.headers.get("x-content-type-options")).to.equal("nosniff");
      expect(await res.text()).to.contain('<script type="module" src="/console/app.js"></script>');
    }
  });

  it("serves every module and the stylesheet of the folder with its type", async () => {
    const files = readdirSync(DIR).filter((f) => f.endsWith(".js") || f.endsWith(".css"));
    expect(files).to.include.members(["app.js", "api.js", "console.css"]);
    for (const file of files) {
      const res = await fetch(`${server.url}/console/${file}`);
      expect(res.status, file).to.equal(200);
      expect(res.headers.get("content-type"), file).to.equal(
        file.endsWith(".js") ? "text/javascript; charset=utf-8" : "text/css; charset=utf-8",
      );
    }
  });

  it("answers 404 NotFound for any other name, traversal attempts included", async () => {
    for (const path of [
      "/console/nope.js",
      "/console/screenshot.png",
      "/console/..%2f..%2fpackage.json",
      "/console/%2e%2e%2fweb-console.ts",
    ]) {
      const reply = await request(`${server.url}${path}`);
      expect(reply.status, path).to.equal(404);
      expect(reply.body.error, path).to.equal("NotFound");
    }
  });
});
