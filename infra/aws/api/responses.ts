/**
 * The responses of `POST /events`: a method response for every status the contract answers with, the
 * integration responses that map PutEvents' answers onto them, and API Gateway's own gateway responses in the
 * contract's shape. Declared by the `Api` component as its children (the names and parents are its own).
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { methodResponseParameters, type ApiContract } from "./contract";
import type { SnapshottedType } from "./snapshot";

/** What the responses hang off, and the `Api`'s snapshot of inputs for the deployment trigger. */
export interface ResponsesArgs {
  readonly contract: ApiContract;
  readonly restApi: pulumi.Input<string>;
  readonly resourceId: pulumi.Input<string>;
  readonly httpMethod: pulumi.Input<string>;
  /** The PutEvents integration: integration responses wait for it. */
  readonly integration: aws.apigateway.Integration;
  /** Keeps a snapshotted resource's inputs for the deployment trigger and returns them. */
  readonly snap: <A extends object>(type: SnapshottedType, resourceName: string, inputs: A) => A;
}

/** Declares the responses as children of `parent`, named from `name`; throws a `ResourceError` on a duplicate. */
export function declareResponses(parent: pulumi.Resource, name: string, args: ResponsesArgs) {
  const { contract, restApi, resourceId, httpMethod, integration, snap } = args;
  const duplicate = contract.integrationResponses.find(
    (r, i) => contract.integrationResponses.findIndex((o) => o.statusCode === r.statusCode) !== i,
  );
  if (duplicate) {
    throw new pulumi.ResourceError(`two integration responses share status ${duplicate.statusCode}`, parent);
  }
  const statusCodes = [
    ...new Set([...contract.methodStatusCodes, ...contract.integrationResponses.map((r) => r.statusCode)]),
  ];
  const methodResponses = statusCodes.map((statusCode) => {
    const responseName = `${name}-post-events-${statusCode}`;
    return new aws.apigateway.MethodResponse(
      responseName,
      snap("aws:apigateway/methodResponse:MethodResponse", responseName, {
        restApi,
        resourceId,
        httpMethod,
        statusCode,
        responseParameters: methodResponseParameters(contract.integrationResponses, statusCode),
      }),
      { parent },
    );
  });
  const integrationResponses = contract.integrationResponses.map((r) => {
    const responseName = `${name}-post-events-${r.statusCode}`;
    return new aws.apigateway.IntegrationResponse(
      responseName,
      snap("aws:apigateway/integrationResponse:IntegrationResponse", responseName, {
        restApi,
        resourceId,
        httpMethod,
        statusCode: r.statusCode,
        selectionPattern: r.selectionPattern,
        responseTemplates: r.responseTemplates,
        responseParameters: r.responseParameters,
      }),
      { parent, dependsOn: [integration, ...methodResponses] },
    );
  });
  const gatewayResponses = contract.gatewayResponses.map((r) => {
    const responseName = `${name}-${r.responseType.toLowerCase().replace(/_/g, "-")}`;
    return new aws.apigateway.Response(
      responseName,
      snap("aws:apigateway/response:Response", responseName, {
        restApiId: restApi,
        responseType: r.responseType,
        statusCode: r.statusCode,
        responseTemplates: r.responseTemplates,
        responseParameters: r.responseParameters,
      }),
      { parent },
    );
  });
  return { methodResponses, integrationResponses, gatewayResponses };
}
