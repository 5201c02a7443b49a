/**
 * Closed by default: `auth` = `apiKey` (usage plan with throttle and quota, one key, exported as a secret),
 * `iam` (SigV4, with a policy for callers to attach) or `none` (explicit, and warned about).
 */
import { expect } from "chai";
import { CONFIGURED, programFor, type Program } from "./harness/program";
import { MOCK_API_KEY_VALUE } from "./harness/mock-state";
import { T } from "./harness/types";

describe("cloud stack: who may call POST /events (auth)", function () {
  // Program runs queue in one runner process per mocha process (a few seconds each; more when the cores are shared).
  this.timeout(180_000);
  let byDefault: Program;
  let iam: Program;
  let open: Program;
  before(async () => {
    [byDefault, iam, open] = await Promise.all([
      programFor(),
      programFor(CONFIGURED),
      programFor({ config: { auth: "none" } }),
    ]);
    for (const p of [byDefault, iam, open]) expect(p.error, p.error?.message).to.equal(undefined);
    expect(CONFIGURED.config?.auth).to.equal("iam");
  });

  const method = (p: Program) => p.findResource(T.method, "ingress-post-events").inputs;

  it("by default requires the stack's API key, under a usage plan with the stage's throttle and a quota", () => {
    expect(byDefault.outputs.auth).to.equal("apiKey");
    expect(method(byDefault)).to.include({ authorization: "NONE", apiKeyRequired: true });
    const plan = byDefault.findResource(T.usagePlan, "ingress");
    expect(plan.inputs.apiStages).to.deep.equal([
      { apiId: byDefault.findResource(T.api, "ingress").id, stage: "v1" },
    ]);
    expect(plan.inputs.throttleSettings).to.deep.equal({ rateLimit: 100, burstLimit: 200 });
    expect(plan.inputs.quotaSettings).to.deep.equal({ limit: 1_000_000, period: "DAY" });
    const key = byDefault.findResource(T.apiKey, "ingress");
    expect(byDefault.findResource(T.usagePlanKey, "ingress").inputs).to.include({
      keyId: key.id,
      keyType: "API_KEY",
      usagePlanId: plan.id,
    });
  });

  it("exports the key as a secret output (pulumi stack output apiKey --show-secrets) and its id", () => {
    expect(byDefault.outputs.apiKey).to.equal(MOCK_API_KEY_VALUE);
    expect(byDefault.secretOutputs).to.deep.equal(["apiKey"]);
    expect(byDefault.outputs.apiKeyId).to.equal(byDefault.findResource(T.apiKey, "ingress").id);
  });

  it("quota from config, and none at all with apiKeyQuotaLimit 0", async () => {
    const [monthly, unlimited] = await Promise.all([
      programFor({ config: { apiKeyQuotaLimit: "5000", apiKeyQuotaPeriod: "MONTH" } }),
      programFor({ config: { apiKeyQuotaLimit: "0" } }),
    ]);
    expect(monthly.findResource(T.usagePlan, "ingress").inputs.quotaSettings).to.deep.equal({
      limit: 5000,
      period: "MONTH",
    });
    expect(unlimited.findResource(T.usagePlan, "ingress").inputs.quotaSettings).to.equal(undefined);
  });

  it("iam: SigV4 on the method, no key, and a policy callers attach, scoped to POST /events of the stage", () => {
    expect(iam.outputs.auth).to.equal("iam");
    expect(method(iam)).to.include({ authorization: "AWS_IAM", apiKeyRequired: false });
    expect(iam.resourcesOf(T.usagePlan)).to.deep.equal([]);
    expect(iam.resourcesOf(T.apiKey)).to.deep.equal([]);
    expect(iam.outputs).to.not.have.property("apiKey");
    const policy = iam.findResource(T.policy, "ingress-invoke");
    expect(JSON.parse(policy.inputs.policy).Statement).to.deep.equal([
      {
        Sid: "PostEvents",
        Effect: "Allow",
        Action: "execute-api:Invoke",
        Resource: `${iam.findResource(T.api, "ingress").state.executionArn}/prod/POST/events`,
      },
    ]);
    expect(iam.outputs.invokePolicyArn).to.equal(policy.state.arn);
  });

  it("iam: an unsigned request is answered 403 Forbidden, not 404 (API Gateway calls both MISSING_AUTHENTICATION_TOKEN)", () => {
    const missingToken = (p: Program) =>
      p.resourcesOf(T.response).find((r) => r.inputs.responseType === "MISSING_AUTHENTICATION_TOKEN")!.inputs;
    expect(missingToken(iam).statusCode).to.equal("403");
    expect(missingToken(iam).responseTemplates["application/json"]).to.contain('"error":"Forbidden"');
    expect(missingToken(byDefault).statusCode).to.equal("404");
  });

  it("none: open only when asked for, and the preview says so", () => {
    expect(open.outputs.auth).to.equal("none");
    expect(method(open)).to.include({ authorization: "NONE", apiKeyRequired: false });
    expect(open.resourcesOf(T.usagePlan)).to.deep.equal([]);
    expect(open.logs.map((l) => l.message)).to.include(
      "auth is none: anyone who finds the URL can put events on the bus",
    );
    expect(byDefault.logs).to.deep.equal([]);
  });
});
