/**
 * AWS's naming rules (length and characters) for every kind of physical name the stack sets, each from the
 * service's API reference, and the check of one name against its rule. Pure: no Pulumi, no server.
 */

/** What a name rule says: AWS's documented length limit and allowed characters for one kind of name. */
export interface NameRule {
  /** Human name of the kind, for messages ("Lambda function name"). */
  readonly what: string;
  readonly min: number;
  readonly max: number;
  /** The whole name must match. */
  readonly chars: RegExp;
  /** The allowed characters, in words, for messages. */
  readonly charsText: string;
}

const ALNUM_DASH_UNDERSCORE = "letters, digits, '-' and '_'";

/** AWS's naming rules for every kind of name the stack sets (each from the service's API reference). */
export const NAME_RULES = {
  /** Lambda CreateFunction FunctionName. */
  function: {
    what: "Lambda function name",
    min: 1,
    max: 64,
    chars: /^[A-Za-z0-9_-]+$/,
    charsText: ALNUM_DASH_UNDERSCORE,
  },
  /** EventBridge PutRule Name. */
  rule: {
    what: "EventBridge rule name",
    min: 1,
    max: 64,
    chars: /^[.\-_A-Za-z0-9]+$/,
    charsText: "letters, digits, '.', '-' and '_'",
  },
  /** EventBridge PutTargets Target Id (unique within its rule). */
  targetId: {
    what: "EventBridge target id",
    min: 1,
    max: 64,
    chars: /^[.\-_A-Za-z0-9]+$/,
    charsText: "letters, digits, '.', '-' and '_'",
  },
  /** EventBridge StartReplay ReplayName. */
  replay: {
    what: "EventBridge replay name",
    min: 1,
    max: 64,
    chars: /^[.\-_A-Za-z0-9]+$/,
    charsText: "letters, digits, '.', '-' and '_'",
  },
  /** IAM CreateRole RoleName. */
  role: {
    what: "IAM role name",
    min: 1,
    max: 64,
    chars: /^[\w+=,.@-]+$/,
    charsText: "letters, digits and '+=,.@-_'",
  },
  /** The provider's `namePrefix` of an IAM role: it appends a 26-character unique suffix (64 - 26). */
  rolePrefix: {
    what: "IAM role name prefix",
    min: 1,
    max: 38,
    chars: /^[\w+=,.@-]+$/,
    charsText: "letters, digits and '+=,.@-_'",
  },
  /** SQS CreateQueue QueueName (standard queues). */
  queue: {
    what: "SQS queue name",
    min: 1,
    max: 80,
    chars: /^[A-Za-z0-9_-]+$/,
    charsText: ALNUM_DASH_UNDERSCORE,
  },
  /** EventBridge CreateArchive ArchiveName. */
  archive: {
    what: "EventBridge archive name",
    min: 1,
    max: 48,
    chars: /^[.\-_A-Za-z0-9]+$/,
    charsText: "letters, digits, '.', '-' and '_'",
  },
  /** EventBridge CreateEventBus Name (a custom bus name may not contain '/'). */
  bus: {
    what: "EventBridge bus name",
    min: 1,
    max: 256,
    chars: /^[.\-_A-Za-z0-9]+$/,
    charsText: "letters, digits, '.', '-' and '_'",
  },
  /** CloudWatch PutDashboard DashboardName. */
  dashboard: {
    what: "CloudWatch dashboard name",
    min: 1,
    max: 255,
    chars: /^[A-Za-z0-9_-]+$/,
    charsText: ALNUM_DASH_UNDERSCORE,
  },
  /** CloudWatch PutMetricAlarm AlarmName (ASCII; kept to the characters the prefix and keys use). */
  alarm: {
    what: "CloudWatch alarm name",
    min: 1,
    max: 255,
    chars: /^[A-Za-z0-9_-]+$/,
    charsText: ALNUM_DASH_UNDERSCORE,
  },
  /** CloudWatch Logs CreateLogGroup logGroupName. */
  logGroup: {
    what: "CloudWatch Logs group name",
    min: 1,
    max: 512,
    chars: /^[.\-_/#A-Za-z0-9]+$/,
    charsText: "letters, digits and '._-/#'",
  },
  /** CloudWatch metric namespace (PutMetricData Namespace). */
  metricNamespace: {
    what: "CloudWatch metric namespace",
    min: 1,
    max: 255,
    chars: /^[A-Za-z0-9.\-_/#:]+$/,
    charsText: "letters, digits and '.-_/#:'",
  },
  /** SNS CreateTopic Name (standard topics). */
  topic: {
    what: "SNS topic name",
    min: 1,
    max: 256,
    chars: /^[A-Za-z0-9_-]+$/,
    charsText: ALNUM_DASH_UNDERSCORE,
  },
  /** DynamoDB CreateTable TableName. */
  table: {
    what: "DynamoDB table name",
    min: 3,
    max: 255,
    chars: /^[A-Za-z0-9_.-]+$/,
    charsText: "letters, digits, '.', '-' and '_'",
  },
  /** EventBridge Schemas CreateRegistry RegistryName. */
  schemaRegistry: {
    what: "EventBridge schema registry name",
    min: 1,
    max: 64,
    chars: /^[.\-_A-Za-z0-9]+$/,
    charsText: "letters, digits, '.', '-' and '_'",
  },
  /** EventBridge Schemas CreateSchema SchemaName: a detail-type names its schema (no digits, as documented). */
  schema: {
    what: "EventBridge schema name",
    min: 1,
    max: 385,
    chars: /^[A-Za-z.\-_@]+$/,
    charsText: "letters, '.', '-', '_' and '@' (no digits)",
  },
  /** API Gateway REST API and usage plan names: free text, kept to the prefix's characters here. */
  apiName: {
    what: "API Gateway name",
    min: 1,
    max: 255,
    chars: /^[A-Za-z0-9_-]+$/,
    charsText: ALNUM_DASH_UNDERSCORE,
  },
} as const satisfies Record<string, NameRule>;

/** A kind of name (`function`, `queue`, ...). */
export type NameKind = keyof typeof NAME_RULES;

/** The problem with `name` as a `kind` name, or undefined when it follows the rule. */
export function checkName(kind: NameKind, name: string): string | undefined {
  const rule: NameRule = NAME_RULES[kind];
  if (name.length < rule.min || name.length > rule.max) {
    return `${rule.what} ${JSON.stringify(name)} is ${name.length} characters; AWS allows ${rule.min} to ${rule.max}`;
  }
  if (!rule.chars.test(name)) {
    return `${rule.what} ${JSON.stringify(name)} may only contain ${rule.charsText}`;
  }
  return undefined;
}
