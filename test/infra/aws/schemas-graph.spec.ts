/**
 * The EventBridge Schema Registry under mocks: one registry per stack, one draft-04 schema per catalogue
 * detail-type (table-driven, so a new row is covered), every name within AWS's rules.
 */
import Ajv from "ajv-draft-04";
import { expect } from "chai";
import { routes } from "../../../infra/routes";
import { checkName, eventCatalog, stackNames } from "../../../infra/table";
import { ACCOUNT, PROJECT, REGION, STACK } from "./harness/mock-state";
import { SCHEMA_TYPE, schemaNameProblems } from "../../../infra/aws";
import { DIGIT_ROW } from "./fixtures/table-digit-type";
import { programFor, type Program } from "./harness/program";

const T = {
  component: "backbone:schemas:SchemaRegistry",
  registry: "aws:schemas/registry:Registry",
  schema: "aws:schemas/schema:Schema",
} as const;

const catalog = eventCatalog(routes);

describe("cloud stack: schema registry (one schema per detail-type)", function () {
  // Program runs queue in one runner process per mocha process (a few seconds each; more when the cores are shared).
  this.timeout(180_000);
  let program: Program;
  before(async () => {
    program = await programFor();
    expect(program.error, program.error?.message).to.equal(undefined);
  });

  it("declares one registry named after the stack, inside the SchemaRegistry component", () => {
    program.findResource(T.component, "contracts");
    const registries = program.resourcesOf(T.registry);
    expect(registries.map((r) => r.name)).to.deep.equal(["contracts"]);
    expect(registries[0].parent).to.equal(`${T.component}::contracts`);
    // The naming module's name for this stack (`event-backbone-dev-contracts`).
    const names = stackNames({ project: PROJECT, stack: STACK, region: REGION, account: ACCOUNT });
    expect(registries[0].inputs.name)
      .to.equal(names.schemaRegistry)
      .and.to.equal("event-backbone-dev-contracts");
    expect(checkName("schemaRegistry", registries[0].inputs.name)).to.equal(undefined);
  });

  it("declares exactly one schema per catalogue detail-type", () => {
    const names = program.resourcesOf(T.schema).map((r) => r.inputs.name);
    expect(names.sort()).to.deep.equal(catalog.map((e) => e.detailType).sort());
  });

  for (const entry of catalog) {
    describe(`detail-type "${entry.detailType}"`, () => {
      it("is a JSONSchemaDraft4 schema in the stack's registry, named by its detail-type within AWS's rules", () => {
        const schema = program.findResource(T.schema, `contracts-${entry.detailType}`);
        expect(schema.parent).to.equal(`${T.component}::contracts`);
        expect(schema.inputs).to.include({
          name: entry.detailType,
          type: SCHEMA_TYPE,
          registryName: program.findResource(T.registry, "contracts").state.name,
        });
        expect(checkName("schema", schema.inputs.name)).to.equal(undefined);
        expect(schema.inputs.name.length).to.be.at.most(385);
        expect(schema.inputs.description.length).to.be.at.most(256);
        expect(schema.inputs.description).to.contain(`contract version ${entry.version}`);
      });

      it("holds a draft-04 document that accepts the schema's examples and rejects an empty detail", () => {
        const schema = program.findResource(T.schema, `contracts-${entry.detailType}`);
        const content = JSON.parse(schema.inputs.content);
        expect(content.$schema).to.equal("http://json-schema.org/draft-04/schema#");
        expect(content.title).to.equal(entry.detailType);
        expect(JSON.stringify(content)).not.to.match(/"const"|"examples"|"\$id"/);
        const validate = new Ajv({ strict: false }).compile(content);
        expect(entry.examples).to.not.have.length(0);
        for (const example of entry.examples) {
          expect(validate(example), JSON.stringify(validate.errors)).to.equal(true);
        }
        const required = (content.required ?? []) as string[];
        if (required.length > 0) expect(validate({})).to.equal(false);
      });
    });
  }

  it("fails the preview on a detail-type AWS cannot name a schema after, naming it", async () => {
    const broken = await programFor({ table: "test/infra/aws/fixtures/table-digit-type.ts" });
    expect(broken.error, "the run should fail").to.not.equal(undefined);
    expect(broken.error!.resourceError, broken.error!.message).to.equal(true);
    expect(broken.error!.message).to.contain(
      `route "${DIGIT_ROW.key}": the detail-type cannot name its registry schema: EventBridge schema name "${DIGIT_ROW.processor.detailType}" may only contain letters`,
    );
    // Refused with the rest of the table's problems, before any resource is declared.
    expect(broken.resources.filter((r) => r.type.startsWith("aws:"))).to.deep.equal([]);
  });
});

describe("schema registry names (AWS's rules)", () => {
  const entry = (detailType: string) => ({ detailType, schema: {} as never, version: 1, examples: [] });
  const cases: { title: string; registry: string; detailType: string; problem?: RegExp }[] = [
    { title: "the stack's names", registry: "backbone-dev", detailType: "order-created" },
    { title: "a schema name of exactly 385 characters", registry: "r", detailType: "a".repeat(385) },
    {
      title: "a schema name of 386 characters",
      registry: "r",
      detailType: "a".repeat(386),
      problem: /detail-type "a{386}" cannot name/,
    },
    { title: "a schema name with . _ @", registry: "r", detailType: "backbone@Order_Created.v" },
    {
      title: "a schema name with a space",
      registry: "r",
      detailType: "order created",
      problem: /"order created"/,
    },
    { title: "a schema name with a digit", registry: "r", detailType: "order-v2", problem: /"order-v2"/ },
    { title: "a registry name of exactly 64 characters", registry: "r".repeat(64), detailType: "a" },
    {
      title: "a registry name of 65 characters",
      registry: "r".repeat(65),
      detailType: "a",
      problem: /registry name "r{65}" must be 1-64/,
    },
    { title: "a registry name with @", registry: "backbone@dev", detailType: "a", problem: /registry name/ },
  ];
  for (const c of cases) {
    it(`${c.problem ? "refuses" : "accepts"} ${c.title}`, () => {
      const problems = schemaNameProblems(c.registry, [entry(c.detailType)]);
      if (c.problem) {
        expect(problems).to.have.length(1);
        expect(problems[0]).to.match(c.problem);
      } else {
        expect(problems).to.deep.equal([]);
      }
    });
  }
});
