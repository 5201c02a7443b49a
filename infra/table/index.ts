/**
 * What a row of the routing table means, with no Pulumi and no server: the row types, the event sources, the
 * catalogue of accepted detail-types, the table check and the physical names every row and stack leads to. `infra/routes.ts`, `infra/aws` and `local/` read
 * the table through this face.
 */
export { ROUTE_DEFAULTS, type EventPattern, type RetryPolicy, type RouteRow } from "./row";
export { API_SOURCE, processorSource, SOURCE_PREFIX } from "../../processors/runtime";
export { ARCHIVE_DESCRIPTION, ARCHIVE_PATTERN } from "./archive";
export { CatalogError, eventCatalog, type CatalogEntry } from "./catalog";
export { checkRoutes, formatProblems, ROUTE_KEY_FORMAT, ROW_LIMITS, type TableProblem } from "./check";
export {
  checkName,
  checkNames,
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
