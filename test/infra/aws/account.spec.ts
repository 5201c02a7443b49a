/**
 * The API Gateway account setting is region-wide: the stack sets it on an account that has none, and
 * `pulumi destroy` leaves it (and its role) in place. Resource options never reach the mocks' `newResource`;
 * the harness reads them from the engine's RegisterResource requests, so these specs see what the engine would.
 */
import { expect } from "chai";
import { CONFIGURED, programFor, type Program } from "./harness/program";
import { T } from "./harness/types";

describe("cloud stack: the account-wide API Gateway setting", function () {
  // Program runs queue in one runner process per mocha process (a few seconds each; more when the cores are shared).
  this.timeout(180_000);
  let program: Program;
  let unmanaged: Program;
  before(async () => {
    [program, unmanaged] = await Promise.all([programFor(), programFor(CONFIGURED)]);
    for (const p of [program, unmanaged]) expect(p.error, p.error?.message).to.equal(undefined);
    expect(CONFIGURED.config?.manageApiGatewayAccount).to.equal("false");
  });

  const settingResources = (p: Program) =>
    [
      [T.account, "apigateway-logging"],
      [T.role, "apigateway-logging"],
      [T.rolePolicy, "apigateway-logging"],
    ].map(([type, name]) => p.findResource(type, name));

  it("by default sets it, pointing at a role that may write logs (so pulumi up works on an account with no role)", () => {
    const [account, role, policy] = settingResources(program);
    expect(account.inputs.cloudwatchRoleArn).to.equal(role.state.arn);
    expect(JSON.parse(role.inputs.assumeRolePolicy).Statement[0].Principal).to.deep.equal({
      Service: "apigateway.amazonaws.com",
    });
    expect(policy.inputs.role).to.equal(role.id);
    expect(program.waitsFor(account, T.rolePolicy, "apigateway-logging")).to.equal(true);
    // The stage's logging needs the setting first.
    expect(
      program.waitsFor(program.findResource(T.stage, "ingress"), T.account, "apigateway-logging"),
    ).to.equal(true);
  });

  it("keeps the setting, its role and the role's policy on pulumi destroy (retainOnDelete)", () => {
    for (const resource of settingResources(program)) {
      expect(resource.options, `${resource.type} ${resource.name}`).to.deep.include({ retainOnDelete: true });
    }
    // The option is read per resource: the stack's own resources are deleted as usual.
    for (const [type, name] of [
      [T.bus, "backbone"],
      [T.role, "ingress-put-events"],
      [T.stage, "ingress"],
    ]) {
      expect(program.findResource(type, name).options?.retainOnDelete, name).to.equal(false);
    }
  });

  it("names the kept role by prefix, so the next pulumi up does not collide with it", () => {
    const role = program.findResource(T.role, "apigateway-logging");
    expect(role.inputs).to.not.have.property("name");
    expect(role.inputs.namePrefix).to.equal("event-backbone-dev-apigw-logs-");
  });

  it("with manageApiGatewayAccount=false touches nothing account-wide", () => {
    expect(unmanaged.resourcesOf(T.account)).to.deep.equal([]);
    expect(unmanaged.resources.filter((r) => r.name === "apigateway-logging")).to.deep.equal([]);
    expect(unmanaged.resources.every((r) => r.options?.retainOnDelete !== true)).to.equal(true);
  });
});
