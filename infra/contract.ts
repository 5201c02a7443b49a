/**
 * Glue between the event catalogue and the Api component: the request model, request template and response
 * mappings of `POST /events`, all built by `infra/api/model.ts` and `infra/api/templates.ts`.
 */
import * as pulumi from "@pulumi/pulumi";
import type { ApiContract } from "./api";
import { REQUEST_MODEL_NAME, requestModelSchemaJson } from "./api/model";
import {
  gatewayResponses,
  METHOD_RESPONSE_STATUS_CODES,
  putEventsIntegrationResponses,
  putEventsRequestTemplate,
} from "./api/templates";
import type { CatalogEntry } from "./catalog";
import { API_SOURCE } from "./sources";

/** Builds the API contract for `catalog`, putting events on `busName` with source `API_SOURCE`. */
export function apiContract(catalog: readonly CatalogEntry[], busName: pulumi.Input<string>): ApiContract {
  return {
    modelName: REQUEST_MODEL_NAME,
    requestModelSchema: requestModelSchemaJson(catalog),
    requestTemplate: pulumi.output(busName).apply((bus) => putEventsRequestTemplate(bus, API_SOURCE)),
    integrationResponses: putEventsIntegrationResponses(),
    methodStatusCodes: METHOD_RESPONSE_STATUS_CODES,
    gatewayResponses: gatewayResponses(),
  };
}
