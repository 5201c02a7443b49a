/**
 * package.json's `engines` says the Node versions the whole dependency tree accepts (every package's own
 * `engines.node` in the lock file contains it), the README says the same range, and Lambda's runtime and the Node
 * running the suite are in it. One package is a known exception, with its reason.
 */
import { expect } from "chai";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import semver from "semver";

const ROOT = join(__dirname, "..", "..");
const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { engines: { node: string } };
const lock = JSON.parse(readFileSync(join(ROOT, "package-lock.json"), "utf8")) as {
  packages: Record<string, { version?: string; engines?: { node?: string } | string[] }>;
};
const RANGE = pkg.engines.node;

/** Packages whose declared range leaves out versions the project supports, and why they still work there. */
const EXCEPTIONS: Record<string, string> = {
  // Fastify's light-my-request (app.inject, not the server) require()s it; it is an ES module, which Node loads
  // with require() from 20.19 on (require(esm)), the floor of RANGE; the suite runs it on Node 20.
  cookie: ">=22",
};

/** `node_modules/a/node_modules/@b/c` → `@b/c`. */
const nameOf = (path: string) => path.slice(path.lastIndexOf("node_modules/") + "node_modules/".length);

describe("engines: the Node versions package.json, the dependencies and the docs agree on", () => {
  const declared = Object.entries(lock.packages)
    .filter(([path, p]) => path !== "" && p.engines && !Array.isArray(p.engines) && p.engines.node)
    .map(([path, p]) => ({
      name: nameOf(path),
      version: p.version,
      range: (p.engines as { node: string }).node,
    }));

  it("every dependency's engines.node contains package.json's range (or is a listed exception)", () => {
    expect(declared.length, "packages with engines.node in the lock file").to.be.greaterThan(100);
    const narrower = declared
      .filter((d) => semver.validRange(d.range) && !semver.subset(RANGE, d.range))
      .filter((d) => EXCEPTIONS[d.name] !== d.range)
      .map((d) => `${d.name}@${d.version}: ${d.range}`);
    expect(narrower, `package.json engines "${RANGE}"`).to.deep.equal([]);
  });

  it("starts no lower than require(esm) needs for the listed exceptions (Node 20.19)", () => {
    expect(semver.minVersion(RANGE)?.version).to.equal("20.19.0");
  });

  it("holds the Node running the suite and Lambda's nodejs22.x", () => {
    expect(semver.satisfies(process.version, RANGE), process.version).to.equal(true);
    expect(semver.intersects(RANGE, "22.x")).to.equal(true);
    const route = readFileSync(join(ROOT, "infra", "aws", "route.ts"), "utf8");
    expect(route).to.contain("aws.lambda.Runtime.NodeJS22dX");
  });

  it("README states the same range", () => {
    const readme = readFileSync(join(ROOT, "README.md"), "utf8");
    expect(readme).to.contain(`Node \`${RANGE}\``);
  });
});
