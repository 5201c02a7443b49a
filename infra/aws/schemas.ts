/**
 * An EventBridge Schema Registry holding one JSON Schema (draft 4) per catalogue detail-type, so AWS's tooling
 * (the console, `aws schemas get-code-binding-source`, code bindings) sees the same contracts as the API, the
 * local stack, the producer client and the AsyncAPI catalog. The content is the API model's draft-04 form of
 * the same TypeBox schema (`toDraft04`).
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { checkName, type CatalogEntry } from "../table";
import { DRAFT_04, toDraft04 } from "./api/model";

/** The only schema type this component writes. */
export const SCHEMA_TYPE = "JSONSchemaDraft4";

/** Arguments of the schema registry. */
export interface SchemaRegistryArgs {
  /** Physical registry name: the stack's prefix (`backbone-<stack>`), so each stack has its own. */
  readonly registryName: string;
  /** The event catalogue: one schema per entry, named by its detail-type. */
  readonly catalog: readonly CatalogEntry[];
}

/**
 * Why `registryName` or a detail-type cannot name the registry or a schema; `[]` when all can. The rules are
 * `NAME_RULES.schemaRegistry` and `.schema` (infra/table/name-rules.ts), which the table check and the stack's
 * name check apply at preview too: this is the component's own guard, in its own words.
 */
export function schemaNameProblems(registryName: string, catalog: readonly CatalogEntry[]): string[] {
  const problems: string[] = [];
  if (checkName("schemaRegistry", registryName) !== undefined) {
    problems.push(
      `schema registry name "${registryName}" must be 1-64 letters, digits, ".", "-" or "_" (shorten the stack name)`,
    );
  }
  for (const { detailType } of catalog) {
    if (checkName("schema", detailType) !== undefined) {
      problems.push(
        `detail-type "${detailType}" cannot name an EventBridge schema: use 1-385 letters, ".", "-", "_" or "@"`,
      );
    }
  }
  return problems;
}

/** The registry content of one entry: a standalone draft-04 document titled by its detail-type. */
export function schemaContent(entry: CatalogEntry): string {
  return JSON.stringify({
    $schema: DRAFT_04,
    title: entry.detailType,
    ...toDraft04(entry.schema, `/${entry.detailType}`),
  });
}

/** The registry and its schemas, one per detail-type. */
export class SchemaRegistry extends pulumi.ComponentResource {
  readonly registry: aws.schemas.Registry;
  /** By detail-type. */
  readonly schemas: Readonly<Record<string, aws.schemas.Schema>>;
  readonly name: pulumi.Output<string>;

  constructor(name: string, args: SchemaRegistryArgs, opts?: pulumi.ComponentResourceOptions) {
    super("backbone:schemas:SchemaRegistry", name, {}, opts);
    const problems = schemaNameProblems(args.registryName, args.catalog);
    if (problems.length > 0) throw new pulumi.ResourceError(problems.join("\n"), this);
    this.registry = new aws.schemas.Registry(
      name,
      {
        name: args.registryName,
        description: "Event backbone: the detail schema of every routed detail-type",
      },
      { parent: this },
    );
    const schemas: Record<string, aws.schemas.Schema> = {};
    for (const entry of args.catalog) {
      schemas[entry.detailType] = new aws.schemas.Schema(
        `${name}-${entry.detailType}`,
        {
          name: entry.detailType,
          registryName: this.registry.name,
          type: SCHEMA_TYPE,
          content: schemaContent(entry),
          description: `Detail of "${entry.detailType}" events, contract version ${entry.version}`,
        },
        { parent: this },
      );
    }
    this.schemas = schemas;
    this.name = this.registry.name;
    this.registerOutputs({ name: this.name });
  }
}
