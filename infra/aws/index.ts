/**
 * The Pulumi side: one `ComponentResource` per concern, and `buildStack`, which declares them all for a routing
 * table. Only this folder (and `index.ts` at the root) imports `@pulumi/*`.
 */
export {
  buildStack,
  namesForStack,
  runtimeDependencies,
  type RouteOutputs,
  type StackOutputs,
} from "./stack";
export {
  ACCESS_LOG_FORMAT,
  Api,
  ApiAccess,
  canonicalJson,
  deploymentTrigger,
  SNAPSHOTTED_TYPES,
  type ApiAccessArgs,
  type ApiArgs,
  type ApiNames,
  type SnapshotEntry,
} from "./api";
export { apiContract, type ApiContract } from "./api/contract";
export { ACCOUNT_SETTING_OPTIONS, ApiGatewayAccount, type ApiGatewayAccountArgs } from "./account";
export { Bus, BusPolicy, IdempotencyTable, type BusArgs, type BusPolicyArgs } from "./bus";
export {
  AUTH_MODES,
  CONFIG_DEFAULTS,
  ConfigError,
  LOG_RETENTION_DAYS,
  loadConfig,
  parseConfig,
  QUOTA_PERIODS,
  RETIRED_CONFIG_KEYS,
  type AuthMode,
  type BackboneConfig,
  type ConfigKey,
  type QuotaPeriod,
  type RetiredConfigKey,
} from "./config";
export {
  API_429_METRIC,
  dashboardLayout,
  dashboardPages,
  MAX_DASHBOARD_WIDGETS,
  metrics,
  type DashboardInput,
  type RouteMetricNames,
} from "./dashboard";
export {
  apiPutEventsPolicy,
  assumedBy,
  BUS_POLICY_MAX_CHARS,
  busPolicy,
  dlqPolicy,
  invokePolicy,
  onlySource,
  processorPolicy,
  RESOURCELESS_ACTIONS,
  type BusProducer,
} from "./iam";
export { ALARM_THRESHOLDS, Monitoring, type MonitoringArgs } from "./monitoring";
export { QUEUE_RETENTION_SECONDS, Route, type RouteArgs, type RouteHandler } from "./route";
export {
  SCHEMA_TYPE,
  SchemaRegistry,
  schemaContent,
  schemaNameProblems,
  type SchemaRegistryArgs,
} from "./schemas";
