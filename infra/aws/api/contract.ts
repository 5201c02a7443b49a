/**
 * Glue between the event catalogue and the Api component: the request model, request template and response
 * mappings of `POST /events`, all built by `model.ts`, `templates.ts` and `gateway-responses.ts` beside it.
 */
import * as pulumi from "@pulumi/pulumi";
import { REQUEST_MODEL_NAME, requestModelSchemaJson } from "./model";
import { gatewayResponses, type ApiAuth, type GatewayResponseSpec } from "./gateway-responses";
import {
  METHOD_RESPONSE_STATUS_CODES,
  putEventsIntegrationResponses,
  OVERRIDDEN_RESPONSE_HEADERS,
  putEventsRequestTemplate,
  type PutEventsIntegrationResponse,
} from "./templates";
import { API_SOURCE, type CatalogEntry } from "../../table";

/** The request/response contract of `POST /events`, built from the event catalogue. */
export interface ApiContract {
  /** Name of the request model (alphanumeric). */
  readonly modelName: string;
  /** Draft-04 JSON Schema of the request body (API Gateway's model language), as JSON text. */
  readonly requestModelSchema: pulumi.Input<string>;
  /** VTL turning the request into a PutEvents call (content type application/json). */
  readonly requestTemplate: pulumi.Input<string>;
  readonly integrationResponses: readonly PutEventsIntegrationResponse[];
  /** Every status the method can answer (integration responses may override theirs from the template). */
  readonly methodStatusCodes: readonly string[];
  /** Errors API Gateway answers itself, before or instead of the integration. */
  readonly gatewayResponses: readonly GatewayResponseSpec[];
}

/**
 * Builds the API contract for `catalog`, putting events on `busName` with source `API_SOURCE`; `auth` decides
 * how a refused caller is answered (see `gatewayResponses`).
 */
export function apiContract(
  catalog: readonly CatalogEntry[],
  busName: pulumi.Input<string>,
  auth: ApiAuth = "apiKey",
): ApiContract {
  return {
    modelName: REQUEST_MODEL_NAME,
    requestModelSchema: requestModelSchemaJson(catalog),
    requestTemplate: pulumi.output(busName).apply((bus) => putEventsRequestTemplate(bus, API_SOURCE)),
    integrationResponses: putEventsIntegrationResponses(),
    methodStatusCodes: METHOD_RESPONSE_STATUS_CODES,
    gatewayResponses: gatewayResponses(auth),
  };
}

/**
 * A method response must declare every header its integration responses set, and the headers a template sets
 * by override (`OVERRIDDEN_RESPONSE_HEADERS`).
 */
export function methodResponseParameters(
  responses: readonly PutEventsIntegrationResponse[],
  statusCode: string,
): Record<string, boolean> | undefined {
  const headers: Record<string, boolean> = {};
  for (const r of responses.filter((x) => x.statusCode === statusCode)) {
    for (const target of Object.keys(r.responseParameters ?? {})) {
      headers[target] = false;
    }
  }
  for (const header of OVERRIDDEN_RESPONSE_HEADERS[statusCode] ?? []) {
    headers[`method.response.header.${header}`] = false;
  }
  return Object.keys(headers).length > 0 ? headers : undefined;
}
