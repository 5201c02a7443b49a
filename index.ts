/** The Pulumi program: the routing table, built into one stack. `pulumi stack output apiUrl` is the endpoint. */
import { routes } from "./infra/routes";
import { buildStack } from "./infra/aws";

const outputs = buildStack(routes);

export const apiUrl = outputs.apiUrl;
export const auth = outputs.auth;
/** With `auth` = `apiKey` (the default): `pulumi stack output apiKey --show-secrets`. */
export const apiKey = outputs.apiKey;
export const apiKeyId = outputs.apiKeyId;
/** With `auth` = `iam`: attach this policy to the roles that call the API. */
export const invokePolicyArn = outputs.invokePolicyArn;
export const busName = outputs.busName;
export const busArn = outputs.busArn;
export const archiveArn = outputs.archiveArn;
export const archiveName = outputs.archiveName;
/** Per route key: rule, function, log group and queues (what `npx backbone --stack <name>` reads). */
export const routeResources = outputs.routeResources;
export const dlqUrls = outputs.dlqUrls;
export const failureQueueUrls = outputs.failureQueueUrls;
export const dashboardUrl = outputs.dashboardUrl;
export const dashboardUrls = outputs.dashboardUrls;
