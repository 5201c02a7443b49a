import { expect } from "chai";
import { RESOURCELESS_ACTIONS } from "../../../infra/aws";
import { actionsOf, CONFIGURED, policyDocuments, programFor, type Program } from "./harness/program";
import { T } from "./harness/types";

describe("cloud stack: least privilege and encryption", function () {
  // Program runs queue in one runner process per mocha process (a few seconds each; more when the cores are shared).
  this.timeout(180_000);
  let programs: Program[];
  before(async () => {
    programs = await Promise.all([
      programFor(),
      programFor(CONFIGURED),
      programFor({ table: "test/infra/aws/fixtures/table-plus-one.ts" }),
    ]);
    for (const p of programs) expect(p.error, p.error?.message).to.equal(undefined);
  });

  it("declares policies to check (so the checks below are not vacuous)", () => {
    expect(policyDocuments(programs[0]).length).to.be.greaterThan(10);
  });

  it("no IAM statement allows a wildcard action", () => {
    for (const p of programs) {
      for (const { where, document } of policyDocuments(p)) {
        for (const statement of document.Statement) {
          for (const action of actionsOf(statement)) {
            expect(action, where).to.not.match(/\*/);
          }
          expect(statement, where).to.not.have.property("NotAction");
        }
      }
    }
  });

  it("a wildcard resource only for X-Ray's trace upload (no resource-level permissions) and the API Gateway logging role's logs", () => {
    let wildcards = 0;
    for (const p of programs) {
      for (const { where, document } of policyDocuments(p)) {
        for (const statement of document.Statement.filter((s) => s.Resource === "*")) {
          wildcards++;
          const actions = actionsOf(statement);
          if (where === 'aws:iam/rolePolicy:RolePolicy "apigateway-logging"') {
            expect(
              actions.every((a) => a.startsWith("logs:")),
              where,
            ).to.equal(true);
          } else {
            expect(actions, where).to.deep.equal([...RESOURCELESS_ACTIONS]);
          }
        }
      }
    }
    expect(wildcards).to.be.greaterThan(0);
  });

  it("attaches no managed policy (in particular no *FullAccess)", () => {
    for (const p of programs) {
      expect(p.resourcesOf("aws:iam/rolePolicyAttachment:RolePolicyAttachment")).to.deep.equal([]);
      expect(p.resourcesOf("aws:iam/policyAttachment:PolicyAttachment")).to.deep.equal([]);
      for (const role of p.resourcesOf(T.role)) {
        expect(role.inputs.managedPolicyArns ?? [], role.name).to.deep.equal([]);
        expect(JSON.stringify(role.inputs), role.name).to.not.contain("FullAccess");
      }
    }
  });

  it("every role is assumable by exactly one AWS service", () => {
    const roles = programs[0].resourcesOf(T.role);
    expect(roles.length).to.be.greaterThan(0);
    for (const role of roles) {
      const statements = JSON.parse(role.inputs.assumeRolePolicy).Statement;
      expect(statements, role.name).to.have.length(1);
      expect(statements[0].Action, role.name).to.equal("sts:AssumeRole");
      expect(statements[0].Principal.Service, role.name).to.match(/^(lambda|apigateway)\.amazonaws\.com$/);
    }
  });

  it("every queue is encrypted at rest", () => {
    for (const p of programs) {
      const queues = p.resourcesOf(T.queue);
      expect(queues.length).to.be.greaterThan(0);
      for (const queue of queues) {
        expect(
          queue.inputs.sqsManagedSseEnabled === true || Boolean(queue.inputs.kmsMasterKeyId),
          queue.name,
        ).to.equal(true);
      }
    }
  });

  it("the idempotency table is encrypted and point-in-time recoverable", () => {
    const table = programs[0].findResource(T.table, "idempotency");
    expect(table.inputs.serverSideEncryption).to.deep.equal({ enabled: true });
    expect(table.inputs.pointInTimeRecovery).to.deep.equal({ enabled: true });
  });
});
