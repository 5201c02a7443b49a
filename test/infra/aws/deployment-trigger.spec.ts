/**
 * Redeploys that take: the deployment's trigger is the hash of the resolved inputs of every resource a
 * deployment snapshots. Proven in two steps: the trigger in the graph equals the hash of exactly those
 * resources' inputs as the engine received them, and changing any one input (each leaf of each resource, a
 * table built from the graph) changes the hash.
 */
import { expect } from "chai";
import { canonicalJson, deploymentTrigger, SNAPSHOTTED_TYPES, type SnapshotEntry } from "../../../infra/aws";
import { CONFIGURED, programFor, type DeclaredResource, type Program } from "./harness/program";
import { T } from "./harness/types";

/** The snapshotted resources of a run, as `deploymentTrigger` takes them. */
function snapshotOf(program: Program): SnapshotEntry[] {
  return program.resources
    .filter((r) => (SNAPSHOTTED_TYPES as readonly string[]).includes(r.type))
    .map((r) => ({ type: r.type, name: r.name, inputs: r.inputs }));
}

/** Every leaf of `value` as a path of keys and indices. */
function leafPaths(value: unknown, path: (string | number)[] = []): (string | number)[][] {
  if (Array.isArray(value)) return value.flatMap((v, i) => leafPaths(v, [...path, i]));
  if (value !== null && typeof value === "object") {
    return Object.entries(value).flatMap(([k, v]) => leafPaths(v, [...path, k]));
  }
  return [path];
}

/** A copy of `inputs` with the leaf at `path` changed (a string gets a suffix, a number +1, a boolean flips). */
function changed(inputs: unknown, path: (string | number)[]): unknown {
  const copy = JSON.parse(JSON.stringify(inputs));
  let parent = copy;
  for (const step of path.slice(0, -1)) parent = parent[step];
  const last = path[path.length - 1];
  const value = parent[last];
  parent[last] =
    typeof value === "number" ? value + 1 : typeof value === "boolean" ? !value : `${String(value)}x`;
  return copy;
}

describe("cloud stack: the deployment trigger covers every snapshotted input", function () {
  // Program runs queue in one runner process per mocha process (a few seconds each; more when the cores are shared).
  this.timeout(180_000);
  let program: Program;
  let deployment: DeclaredResource;
  before(async () => {
    program = await programFor();
    expect(program.error, program.error?.message).to.equal(undefined);
    deployment = program.findResource(T.deployment, "ingress");
  });

  it("snapshots every API resource a deployment captures, and they all live in the Api component", () => {
    const types = new Set(snapshotOf(program).map((e) => e.type));
    expect([...types].sort()).to.deep.equal([...SNAPSHOTTED_TYPES].sort());
    for (const entry of snapshotOf(program)) {
      const resource = program.findResource(entry.type, entry.name);
      expect(resource.parent, entry.name).to.equal("backbone:api:Api::ingress");
    }
  });

  it("is the hash of exactly the inputs the engine received for those resources", () => {
    expect(deployment.inputs.triggers.definition).to.equal(deploymentTrigger(snapshotOf(program)));
    // And not of a subset: leaving out any one resource gives another hash.
    const all = snapshotOf(program);
    for (let i = 0; i < all.length; i++) {
      const without = all.filter((_, j) => j !== i);
      expect(deploymentTrigger(without), all[i].name).to.not.equal(deployment.inputs.triggers.definition);
    }
  });

  it("the inputs the issue found missing are among those hashed", () => {
    const integration = program.findResource(T.integration, "ingress-put-events").inputs;
    for (const field of [
      "uri",
      "credentials",
      "requestParameters",
      "passthroughBehavior",
      "requestTemplates",
    ]) {
      expect(integration, field).to.have.property(field);
    }
    expect(program.findResource(T.method, "ingress-post-events").inputs).to.have.property("authorization");
    expect(program.findResource(T.methodSettings, "ingress").inputs.settings).to.have.property(
      "throttlingRateLimit",
    );
  });

  describe("changing any one input changes the trigger", () => {
    // The case table is the graph itself: every leaf of every snapshotted resource.
    let cases: { label: string; entries: SnapshotEntry[] }[] = [];
    before(() => {
      const snapshot = snapshotOf(program);
      cases = snapshot.flatMap((entry, i) =>
        leafPaths(entry.inputs).map((path) => ({
          label: `${entry.type.split(":").pop()} ${entry.name}: ${path.join(".")}`,
          entries: snapshot.map((e, j) => (j === i ? { ...e, inputs: changed(e.inputs, path) } : e)),
        })),
      );
    });

    it("covers more than a few fields (so the table is not vacuous)", () => {
      expect(cases.length).to.be.greaterThan(60);
      const labels = cases.map((c) => c.label);
      for (const expected of [
        "Integration ingress-put-events: uri",
        "Integration ingress-put-events: credentials",
        "Integration ingress-put-events: passthroughBehavior",
        "Integration ingress-put-events: requestParameters.integration.request.header.X-Amz-Target",
        "Method ingress-post-events: apiKeyRequired",
        "RequestValidator ingress-body: validateRequestBody",
        "Model ingress-event: schema",
        "MethodSettings ingress: settings.throttlingBurstLimit",
      ]) {
        expect(labels).to.include(expected);
      }
    });

    it("every case gives a new trigger", () => {
      const original = deployment.inputs.triggers.definition;
      const unchanged = cases.filter((c) => deploymentTrigger(c.entries) === original).map((c) => c.label);
      expect(unchanged).to.deep.equal([]);
    });
  });

  it("another configuration deploys another definition; the same one reproduces the same trigger", async () => {
    const [iam, again] = await Promise.all([programFor(CONFIGURED), programFor({ config: {} })]);
    expect(iam.findResource(T.deployment, "ingress").inputs.triggers.definition).to.not.equal(
      deployment.inputs.triggers.definition,
    );
    expect(again.findResource(T.deployment, "ingress").inputs.triggers.definition).to.equal(
      deployment.inputs.triggers.definition,
    );
  });

  it("hashes a canonical form: key order does not matter, undefined members are dropped, arrays keep order", () => {
    expect(canonicalJson({ b: 1, a: { d: [2, 1], c: undefined } })).to.equal('{"a":{"d":[2,1]},"b":1}');
    expect(canonicalJson({ a: 1, b: 2 })).to.equal(canonicalJson({ b: 2, a: 1 }));
    expect(canonicalJson([1, 2])).to.not.equal(canonicalJson([2, 1]));
  });
});
