/**
 * A small emulation of API Gateway's mapping-template runtime, on a real Velocity engine (velocityjs), so the
 * templates in `infra/api/templates.ts` are tested by rendering them, not by reading them.
 *
 * Sources (AWS developer guide, "Variables for data transformations for API Gateway" /
 * api-gateway-mapping-template-reference.html, and the gateway-response pages cited below):
 * - `$input.body`: the raw payload as a string. `$input.json(x)`: evaluates a JSONPath expression and returns the
 *   result as a JSON string. `$input.path(x)`: evaluates a JSONPath expression and returns the object, for
 *   manipulation in VTL. `$input.params()`: map of all `path`, `querystring` and `header` parameters;
 *   `$input.params(x)`: the value of parameter x, searched in path, then query string, then header.
 * - `$util.escapeJavaScript()`: "Escapes the characters in a string using JavaScript string rules", with the
 *   documented caveat that it turns `'` into `\'`, which is not valid JSON, so templates must undo it
 *   (`.replaceAll("\\'","'")`). That first sentence is the Javadoc of Apache Commons Lang's
 *   `StringEscapeUtils.escapeJavaScript` (commons-lang 2.x), whose documented example is
 *   `They didn't say, "Stop!"` → `They didn\'t say, \"Stop!\"`; its implementation also escapes `/` as `\/`,
 *   control characters as `\b \t \n \f \r` or `\u00XX`, and every char above 0x7F as `\uXXXX` (upper-case hex,
 *   one UTF-16 unit at a time). AWS does not say which library it uses, so `escapeFlavour: "minimal"` renders
 *   the same tests with only the escapes any JavaScript-rules escaper must make (`' " \` and control chars):
 *   a template must produce valid JSON under both.
 * - `$util.parseJson()`, `urlEncode()` (Java `URLEncoder`, form encoding: space → `+`), `urlDecode()`,
 *   `base64Encode()`, `base64Decode()` (UTF-8).
 * - `$context.requestId`, `$context.responseOverride.status` (a response template may set it to override the
 *   integration response's status), `$context.error.*`.
 * - Strings are Java strings in API Gateway: `replaceAll` takes a Java regex (not a literal, as in JavaScript),
 *   so Java's `String` methods used by templates are routed here through velocityjs' `customMethodHandlers`.
 * - Gateway responses are NOT Velocity: "A GatewayResponse mapping template isn't processed by the Velocity
 *   Template Language (VTL) engine" and supports "only simple variable substitution" (OpenAPI extension docs,
 *   x-amazon-apigateway-gateway-responses.responseTemplates). `renderGatewayResponse` does only that.
 */
import { Compile, parse } from "velocityjs";

/** Which `$util.escapeJavaScript` to emulate (see the module comment). */
export type EscapeFlavour = "commons-lang" | "minimal";

/** Everything a mapping template can see, as API Gateway would provide it. */
export interface TemplateInput {
  /** Raw payload (method request body for request templates, integration response body for response ones). */
  readonly body: string;
  readonly params?: {
    readonly path?: Record<string, string>;
    readonly querystring?: Record<string, string>;
    readonly header?: Record<string, string>;
  };
  /** `$context` values; `responseOverride` is added if missing. */
  readonly context?: Record<string, unknown>;
  readonly escapeFlavour?: EscapeFlavour;
}

/** The rendered text and the `$context` as the template left it (e.g. `responseOverride.status`). */
export interface RenderResult {
  readonly output: string;
  readonly context: { responseOverride: { status?: number; header?: Record<string, string> } } & Record<
    string,
    unknown
  >;
}

/** Renders a request or integration-response mapping template. */
export function renderTemplate(template: string, input: TemplateInput): RenderResult {
  const flavour = input.escapeFlavour ?? "commons-lang";
  const context = {
    requestId: "req-00000000-0000-0000-0000-000000000000",
    ...(input.context ?? {}),
    responseOverride: { header: {} as Record<string, string> } as {
      status?: number;
      header?: Record<string, string>;
    },
  };
  const vars = {
    input: inputVariable(input),
    util: utilVariable(flavour),
    context,
  };
  const compiled = new Compile(parse(template), { customMethodHandlers: javaStringMethods });
  const output = compiled.render(vars);
  return { output, context };
}

function inputVariable(input: TemplateInput) {
  const params = {
    path: { ...(input.params?.path ?? {}) },
    querystring: { ...(input.params?.querystring ?? {}) },
    header: { ...(input.params?.header ?? {}) },
  };
  let parsed: { ok: true; value: unknown } | { ok: false } | undefined;
  const document = (): unknown => {
    if (!parsed) {
      try {
        parsed = { ok: true, value: JSON.parse(input.body) };
      } catch {
        parsed = { ok: false };
      }
    }
    if (!parsed.ok) throw new Error("$input.json/$input.path on a body that is not JSON");
    return parsed.value;
  };
  return {
    body: input.body,
    /** JSON text of the value at `path`. A missing value renders as `null` here (AWS behaviour not documented). */
    json(path: string): string {
      const value = jsonPath(document(), path);
      return value === undefined ? "null" : JSON.stringify(value);
    },
    path(path: string): unknown {
      return jsonPath(document(), path);
    },
    params(name?: string): unknown {
      if (name === undefined) return params;
      for (const where of [params.path, params.querystring, params.header]) {
        if (Object.prototype.hasOwnProperty.call(where, name)) return where[name];
      }
      return "";
    },
  };
}

function utilVariable(flavour: EscapeFlavour) {
  return {
    escapeJavaScript(value: unknown): string | undefined {
      // Commons Lang returns null for null, which Velocity then renders as the literal reference text.
      if (value === undefined || value === null) return undefined;
      return escapeJavaScript(String(value), flavour);
    },
    parseJson(text: string): unknown {
      return JSON.parse(text);
    },
    urlEncode(text: string): string {
      return javaUrlEncode(text);
    },
    urlDecode(text: string): string {
      return decodeURIComponent(text.replace(/\+/g, " "));
    },
    base64Encode(text: string): string {
      return Buffer.from(text, "utf8").toString("base64");
    },
    base64Decode(text: string): string {
      return Buffer.from(text, "base64").toString("utf8");
    },
  };
}

/** `$util.escapeJavaScript` (see the module comment for the two flavours). */
export function escapeJavaScript(text: string, flavour: EscapeFlavour = "commons-lang"): string {
  let out = "";
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    const c = text[i];
    if (ch < 0x20) {
      const named: Record<number, string> = { 8: "\\b", 9: "\\t", 10: "\\n", 12: "\\f", 13: "\\r" };
      out += named[ch] ?? `\\u${hex4(ch)}`;
    } else if (ch > 0x7f && flavour === "commons-lang") {
      out += `\\u${hex4(ch)}`;
    } else if (c === "'" || c === '"' || c === "\\") {
      out += `\\${c}`;
    } else if (c === "/" && flavour === "commons-lang") {
      out += "\\/";
    } else {
      out += c;
    }
  }
  return out;
}

function hex4(code: number): string {
  return code.toString(16).toUpperCase().padStart(4, "0");
}

/** Java's `URLEncoder.encode(s, "UTF-8")`: keeps `A-Za-z0-9.-*_`, space → `+`, the rest `%XX` (upper-case). */
export function javaUrlEncode(text: string): string {
  let out = "";
  for (const byte of Buffer.from(text, "utf8")) {
    const c = String.fromCharCode(byte);
    if (/[A-Za-z0-9.\-*_]/.test(c)) out += c;
    else if (c === " ") out += "+";
    else out += `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}

/**
 * The JSONPath subset templates use: `$`, `.name`, `['name']` / `["name"]`, `[index]`. Anything else throws,
 * so a template relying on more fails loudly here instead of being emulated wrongly.
 */
export function jsonPath(root: unknown, path: string): unknown {
  if (!path.startsWith("$")) throw new Error(`JSONPath must start with $: ${path}`);
  const step = /^(?:\.([A-Za-z_$][\w$-]*)|\['((?:[^'\\]|\\.)*)'\]|\["((?:[^"\\]|\\.)*)"\]|\[(\d+)\])/;
  const steps: RegExpExecArray[] = [];
  for (let rest = path.slice(1); rest.length > 0;) {
    const m = step.exec(rest);
    if (!m) throw new Error(`unsupported JSONPath ${path} at ${rest}`);
    steps.push(m);
    rest = rest.slice(m[0].length);
  }
  let value: unknown = root;
  for (const m of steps) {
    const key = m[1] ?? m[2] ?? m[3];
    if (value === null || typeof value !== "object") return undefined;
    if (key !== undefined) {
      if (Array.isArray(value) || !Object.prototype.hasOwnProperty.call(value, key)) return undefined;
      value = (value as Record<string, unknown>)[key];
    } else {
      if (!Array.isArray(value)) return undefined;
      value = value[Number(m[4])];
    }
  }
  return value;
}

/** Java `String.replaceAll`/`replaceFirst`: `regex` is a Java regex, `replacement` uses `$n` and `\x`. */
export function javaReplace(text: string, regex: string, replacement: string, all: boolean): string {
  // Java and JavaScript (non-unicode mode) agree on the regex syntax templates use: literals, escapes, classes,
  // anchors, quantifiers. Constructs only Java has are refused rather than silently misread.
  if (/\\[AZzQEGpP]|\(\?[<]?[a-zA-Z]|[*+?}]\+/.test(regex)) {
    throw new Error(`Java-only regex construct not emulated: ${regex}`);
  }
  const re = new RegExp(regex, all ? "g" : "");
  return text.replace(re, (...groups: unknown[]) => javaReplacement(replacement, groups as string[]));
}

function javaReplacement(replacement: string, match: string[]): string {
  let out = "";
  for (let i = 0; i < replacement.length; i++) {
    const c = replacement[i];
    if (c === "\\") {
      i++;
      if (i >= replacement.length) throw new Error("character to be escaped is missing");
      out += replacement[i];
    } else if (c === "$") {
      const digits = /^\d+/.exec(replacement.slice(i + 1));
      if (!digits) throw new Error(`illegal group reference in ${replacement}`);
      out += match[Number(digits[0])] ?? "";
      i += digits[0].length;
    } else {
      out += c;
    }
  }
  return out;
}

type MethodPayload = { property: string; params: unknown[]; context: unknown };

/** Java `String` methods a template may call, for every string value (literal, interpolated or returned). */
const javaString: Record<string, (s: string, ...args: string[]) => unknown> = {
  replaceAll: (s, regex, replacement) => javaReplace(s, regex, replacement, true),
  replaceFirst: (s, regex, replacement) => javaReplace(s, regex, replacement, false),
  replace: (s, target, replacement) => s.split(target).join(replacement),
  matches: (s, regex) => new RegExp(`^(?:${regex})$`).test(s),
  length: (s) => s.length,
  isEmpty: (s) => s.length === 0,
  contains: (s, part) => s.includes(part),
  equals: (s, other) => s === other,
  startsWith: (s, prefix) => s.startsWith(prefix),
  endsWith: (s, suffix) => s.endsWith(suffix),
  trim: (s) => s.trim(),
  toLowerCase: (s) => s.toLowerCase(),
  toUpperCase: (s) => s.toUpperCase(),
};

const javaStringMethods = [
  {
    uid: "api-gateway: java.lang.String",
    match: ({ property, context }: MethodPayload) =>
      typeof context === "string" && Object.prototype.hasOwnProperty.call(javaString, property),
    resolve: ({ property, params, context }: MethodPayload) =>
      javaString[property](context as string, ...params.map((p) => String(p))),
  },
];

/** What API Gateway substitutes into a gateway response template. */
export interface GatewayResponseInput {
  /** `$context.error.message` (e.g. "Invalid request body"). */
  readonly message: string;
  /** `$context.error.responseType` (e.g. "BAD_REQUEST_BODY"). */
  readonly responseType: string;
  /** `$context.error.validationErrorString`, e.g. `[object has missing required properties (["detail"])]`. */
  readonly validationErrorString?: string;
  readonly requestId?: string;
}

/**
 * Simple variable substitution, as API Gateway does for gateway responses (no directives, no methods).
 * `$context.error.messageString` is documented as "the quoted value of $context.error.message"; it is emulated as
 * a JSON string literal. `$context.error.validationErrorString` is documented only as "a string containing a
 * detailed validation error message"; ASSUMPTION (not verifiable without an AWS account): API Gateway
 * substitutes it JSON-escaped, which is what the widely deployed `"message": "$context.error.validationErrorString"`
 * templates rely on and what published responses such as `"[object has missing required properties
 * ([\"name\"])]"` show. Unknown `$context`/`$stageVariables`/`$method` variables render as the empty string;
 * any other `$` text (there is no `$util` or `$input` here) stays verbatim.
 */
export function renderGatewayResponse(template: string, input: GatewayResponseInput): string {
  const values: Record<string, string> = {
    "context.error.message": input.message,
    "context.error.messageString": JSON.stringify(input.message),
    "context.error.responseType": input.responseType,
    "context.error.validationErrorString": JSON.stringify(input.validationErrorString ?? "").slice(1, -1),
    "context.requestId": input.requestId ?? "req-00000000-0000-0000-0000-000000000000",
  };
  const variable = /\$((?:context|stageVariables|method)(?:\.[A-Za-z][\w]*)+)/g;
  return template.replace(variable, (_, name: string) => values[name] ?? "");
}
