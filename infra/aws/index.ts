/**
 * The Pulumi side: one `ComponentResource` per concern, and `buildStack`, which declares them all for a routing
 * table. Only this folder (and `index.ts` at the root) imports `@pulumi/*`.
 */
export { buildStack, runtimeDependencies, type RouteOutputs, type StackOutputs } from "./stack";
export { Api, definitionHash, type ApiArgs } from "./api";
export { apiContract, type ApiContract } from "./api/contract";
export { ApiGatewayAccount } from "./account";
export { Bus, IdempotencyTable, type BusArgs } from "./bus";
export {
  CONFIG_DEFAULTS,
  ConfigError,
  LOG_RETENTION_DAYS,
  loadConfig,
  parseConfig,
  type BackboneConfig,
  type ConfigKey,
} from "./config";
export { dashboardBody, type DashboardInput, type RouteMetricNames } from "./dashboard";
export { assumedBy, dlqPolicy, processorPolicy } from "./iam";
export { Monitoring, type MonitoringArgs } from "./monitoring";
export { Route, type RouteArgs, type RouteHandler } from "./route";
