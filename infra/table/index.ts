/**
 * What a row of the routing table means, with no Pulumi and no server: the row types, the event sources, the
 * catalogue of accepted detail-types and its compiled validator, the table check, the AsyncAPI document of the
 * table, the contract gate, the physical names every row and stack leads to, and "did you mean" for names. `infra/routes.ts`, `infra/aws`, `infra/client`, `infra/catalog` and `local/`
 * read the table through this face.
 */
export { ROUTE_DEFAULTS, type EventPattern, type RetryPolicy, type RouteRow } from "./row";
export { API_SOURCE, processorSource, SOURCE_PREFIX } from "../../processors/runtime";
export { ARCHIVE_DESCRIPTION, ARCHIVE_PATTERN } from "./archive";
export { CatalogError, eventCatalog, schemaExamples, schemaVersion, type CatalogEntry } from "./catalog";
export { CatalogValidator, describeErrors, MAX_PROBLEMS } from "./validator";
export { checkRoutes, formatProblems, ROUTE_KEY_FORMAT, ROW_LIMITS, type TableProblem } from "./check";
export {
  ASYNCAPI_VERSION,
  asyncApiDocument,
  catalogContracts,
  emitters,
  tableContracts,
  type AsyncApiDocument,
  type AsyncApiInfo,
  type Contract,
  type Json,
} from "./asyncapi";
export { oneEditApart } from "./near-miss";
export { breakingChanges, compareSchemas, type ChangeKind, type SchemaChange } from "./schema-diff";
export {
  checkFailures,
  contractFindings,
  writeFailures,
  type Finding,
  type FindingKind,
} from "./contract-gate";
export {
  checkName,
  checkNames,
  derivedNames,
  fitName,
  NAME_RULES,
  nameToken,
  shortHash,
  stackArns,
  stackNames,
  type NameKind,
  type NameProblem,
  type NameRule,
  type NamingContext,
  type RouteNames,
  type StackArns,
  type StackNames,
} from "./names";
