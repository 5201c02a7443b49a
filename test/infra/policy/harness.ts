/**
 * Runs the policy pack's validations on a mocked graph the way the Pulumi CLI's analyzer would hand them
 * resources: resource policies get each resource's inputs, stack policies every resource's outputs (the mocks'
 * state). A `PolicyPack` only runs under the CLI; the validation functions are plain functions.
 */
import type {
  PolicyResource,
  PolicyResourceOptions,
  ResourceValidation,
  ResourceValidationArgs,
  ResourceValidationPolicy,
  StackValidationPolicy,
} from "@pulumi/policy";
import type { DeclaredResource, Program } from "../aws/harness/program";
import { PROJECT, STACK } from "../aws/harness/mock-state";

/** One violation a policy reported. */
export interface Violation {
  readonly policy: string;
  /** `type::name` of the resource, or of the resource a stack policy named. */
  readonly resource: string;
  readonly message: string;
}

class NotApplicable extends Error {}

/** The URN Pulumi gives `resource` (the parent chain's types joined by `$`). */
export function urnOf(
  program: Program,
  resource: Pick<DeclaredResource, "type" | "name" | "parent">,
): string {
  const types: string[] = [];
  let current: Pick<DeclaredResource, "type" | "name" | "parent"> | undefined = resource;
  while (current) {
    types.unshift(current.type);
    const parent: string | undefined = current.parent;
    current = parent ? program.resources.find((r) => `${r.type}::${r.name}` === parent) : undefined;
  }
  return `urn:pulumi:${STACK}::${PROJECT}::${types.join("$")}::${resource.name}`;
}

function options(program: Program, resource: DeclaredResource): PolicyResourceOptions {
  const parent = resource.parent
    ? program.resources.find((r) => `${r.type}::${r.name}` === resource.parent)
    : undefined;
  return {
    protect: resource.options?.protect ?? false,
    ignoreChanges: [],
    deleteBeforeReplace: resource.options?.deleteBeforeReplace,
    aliases: [],
    customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
    additionalSecretOutputs: [],
    parent: parent ? urnOf(program, parent) : undefined,
  };
}

const typeOf = (cls: unknown) => (cls as { __pulumiType?: string }).__pulumiType;

/** What a resource validation receives for `resource`. */
export function resourceArgs(program: Program, resource: DeclaredResource): ResourceValidationArgs {
  return {
    type: resource.type,
    props: resource.inputs,
    urn: urnOf(program, resource),
    name: resource.name,
    opts: options(program, resource),
    stackTags: new Map(),
    isType: (cls) => typeOf(cls) === resource.type,
    // The args type is the class's input type; the props are those inputs, resolved.
    asType: ((cls: unknown) =>
      typeOf(cls) === resource.type ? resource.inputs : undefined) as ResourceValidationArgs["asType"],
    getConfig: <T extends object>() => ({}) as T,
    notApplicable: (reason?: string): never => {
      throw new NotApplicable(reason);
    },
  };
}

/** What a stack validation receives for `program`. */
export function stackResources(program: Program): PolicyResource[] {
  return program.resources
    .filter((r) => r.custom)
    .map((r) => ({
      type: r.type,
      props: r.state ?? r.inputs,
      urn: urnOf(program, r),
      name: r.name,
      opts: options(program, r),
      dependencies: [],
      propertyDependencies: {},
      isType: (cls) => typeOf(cls) === r.type,
      asType: ((cls: unknown) =>
        typeOf(cls) === r.type ? (r.state ?? r.inputs) : undefined) as PolicyResource["asType"],
    }));
}

/** Result of running policies: the violations, and how many resources each resource policy applied to. */
export interface PolicyRun {
  readonly violations: Violation[];
  readonly applied: Record<string, number>;
}

/** Runs every policy of `policies` on `program`'s graph. */
export async function runPolicies(
  program: Program,
  policies: readonly (ResourceValidationPolicy | StackValidationPolicy)[],
): Promise<PolicyRun> {
  const violations: Violation[] = [];
  const applied: Record<string, number> = {};
  const byUrn = new Map(program.resources.map((r) => [urnOf(program, r), `${r.type}::${r.name}`]));
  for (const policy of policies) {
    applied[policy.name] = 0;
    if ("validateResource" in policy && policy.validateResource) {
      const validations: ResourceValidation[] = ([] as ResourceValidation[]).concat(policy.validateResource);
      for (const resource of program.resources.filter((r) => r.custom)) {
        for (const validate of validations) {
          try {
            await validate(resourceArgs(program, resource), (message) =>
              violations.push({
                policy: policy.name,
                resource: `${resource.type}::${resource.name}`,
                message,
              }),
            );
            applied[policy.name]++;
          } catch (err) {
            if (!(err instanceof NotApplicable)) throw err;
          }
        }
      }
    }
    if ("validateStack" in policy && policy.validateStack) {
      const resources = stackResources(program);
      await policy.validateStack(
        {
          resources,
          stackTags: new Map(),
          getConfig: <T extends object>() => ({}) as T,
          notApplicable: (reason?: string): never => {
            throw new NotApplicable(reason);
          },
        },
        (message, urn) =>
          violations.push({ policy: policy.name, resource: (urn && byUrn.get(urn)) ?? "stack", message }),
      );
      applied[policy.name] = resources.length;
    }
  }
  return { violations, applied };
}
