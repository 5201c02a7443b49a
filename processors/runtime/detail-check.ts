/**
 * Checks an event's detail against its processor's schema inside the runtime, for events put on the bus
 * directly (PutEvents) that skipped the API's validation.
 *
 * `detailCheckCode` runs where node_modules exist (the Pulumi program, the local stack): it turns the schema
 * into a standalone ajv validator, as source text that needs no `require`. `compileDetailCheck` runs anywhere,
 * including a Lambda whose archive has no node_modules: it only uses `new Function`, so Pulumi can serialize it
 * and a handler only captures the code string (never the TypeBox schema, whose Symbol keys do not serialize).
 */

/** A detail check: the reason the detail is invalid (`"<path> <message>"`), or `undefined` when it is valid. */
export type DetailCheck = (detail: unknown) => string | undefined;

/**
 * Source of a CommonJS module exporting an ajv validate function for `schema` (a TypeBox schema or plain JSON
 * Schema). String lengths count UTF-16 code units (`unicode: false`), like the API's TypeBox validation, which
 * also keeps the code free of ajv's runtime `require`. Throws if the code would need any module.
 */
export function detailCheckCode(schema: unknown): string {
  const { default: Ajv } = require("ajv") as typeof import("ajv");
  const { default: standaloneCode } = require("ajv/dist/standalone") as typeof import("ajv/dist/standalone");
  const quiet = (...args: unknown[]) => {
    // `unicode` is deprecated but still honoured; its notice is noise here.
    if (!String(args[0]).includes("option unicode")) console.warn(...args);
  };
  const ajv = new Ajv({
    code: { source: true, esm: false },
    unicode: false,
    unicodeRegExp: false,
    strict: false,
    allErrors: false,
    logger: { log: console.log, warn: quiet, error: console.error },
  });
  // Plain JSON: drops TypeBox's Symbol keys.
  const plain = JSON.parse(JSON.stringify(schema)) as object;
  const code = standaloneCode(ajv, ajv.compile(plain));
  if (/\brequire\s*\(/.test(code)) {
    throw new Error(`the generated detail validator needs a module: ${code.match(/require\([^)]*\)/)?.[0]}`);
  }
  return code;
}

/** Compiles the code of `detailCheckCode` into a `DetailCheck`. Uses no module, so it runs in any archive. */
export function compileDetailCheck(code: string): DetailCheck {
  const module: { exports: unknown } = { exports: {} };
  new Function("module", "exports", code)(module, module.exports);
  const validate = module.exports as ((data: unknown) => boolean) & {
    errors?: { instancePath: string; message?: string }[] | null;
  };
  return (detail) => {
    if (validate(detail)) return undefined;
    const error = validate.errors?.[0];
    if (!error) return "detail is invalid";
    const path = error.instancePath
      .split("/")
      .slice(1)
      .map(decodePointer)
      .map((part) => (/^\d+$/.test(part) ? `[${part}]` : `.${part}`))
      .join("");
    return `detail${path} ${error.message ?? "is invalid"}`;
  };
}

/** One segment of a JSON Pointer (RFC 6901) as the key it names: `~1` is `/`, `~0` is `~`. */
export function decodePointer(segment: string): string {
  return segment.replace(/~1/g, "/").replace(/~0/g, "~");
}

/** `compileDetailCheck(detailCheckCode(schema))`: for runtimes that have node_modules (the local stack, tests). */
export function detailCheck(schema: unknown): DetailCheck {
  return compileDetailCheck(detailCheckCode(schema));
}
