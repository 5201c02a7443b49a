/**
 * Edge validation for `POST /events`: the request body contract, the catalogue schemas (compiled once) and
 * EventBridge's entry size rule.
 * Every failure is a typed error with a stable name and a message naming the offending key.
 */
import { CatalogValidator, type CatalogEntry } from "../../infra/table";
import { entrySize, isPlainObject, MAX_ENTRY_BYTES } from "../eventbridge";
import { badRequest, payloadTooLarge } from "./errors";

/** The validated body of `POST /events`. */
export interface EventRequest {
  detailType: string;
  detail: Record<string, unknown>;
  /** `detail` serialized, as it will be put on the bus. */
  detailJson: string;
}

/**
 * Validates `POST /events` bodies: the body's own contract here, the detail against the catalogue with the one
 * `CatalogValidator` the producer client uses too (so both word a failure the same way).
 */
export class EventValidator {
  private readonly catalog: CatalogValidator;

  constructor(
    catalog: readonly CatalogEntry[],
    private readonly source: string,
  ) {
    this.catalog = new CatalogValidator(catalog);
  }

  /** Throws a `badRequest` (or `payloadTooLarge`) naming the first offending key. */
  validate(body: unknown): EventRequest {
    if (!isPlainObject(body)) throw badRequest(`body must be a JSON object with "detail-type" and "detail"`);
    for (const key of Object.keys(body)) {
      if (key !== "detail-type" && key !== "detail") {
        const why = key === "source" ? " (the API sets the source)" : "";
        throw badRequest(`body.${key} is not allowed${why}; only "detail-type" and "detail" are accepted`);
      }
    }
    const detailType = body["detail-type"];
    if (detailType === undefined) throw badRequest(`detail-type is required`);
    if (typeof detailType !== "string") throw badRequest(`detail-type must be string`);
    if (!this.catalog.accepts(detailType)) throw badRequest(this.catalog.problems(detailType, undefined)[0]);
    const detail = body.detail;
    if (detail === undefined) throw badRequest(`detail is required`);
    if (!isPlainObject(detail)) throw badRequest(`detail must be object`);
    const detailJson = JSON.stringify(detail);
    const size = entrySize({ source: this.source, detailType, detail: detailJson });
    if (size > MAX_ENTRY_BYTES) {
      throw payloadTooLarge(`event is ${size} bytes; EventBridge's limit is ${MAX_ENTRY_BYTES}`);
    }
    const problems = this.catalog.problems(detailType, detail);
    if (problems.length > 0) throw badRequest(problems.join("; "));
    return { detailType, detail, detailJson };
  }
}
