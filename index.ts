/** The Pulumi program: the routing table, built into one stack. `pulumi stack output apiUrl` is the endpoint. */
import { routes } from "./infra/routes";
import { buildStack } from "./infra/aws";

const outputs = buildStack(routes);

export const apiUrl = outputs.apiUrl;
export const busName = outputs.busName;
export const busArn = outputs.busArn;
export const archiveArn = outputs.archiveArn;
/** Per route key: rule, function, log group and queues (what `npx backbone --stack <name>` reads). */
export const routeResources = outputs.routeResources;
export const dlqUrls = outputs.dlqUrls;
export const failureQueueUrls = outputs.failureQueueUrls;
export const dashboardUrl = outputs.dashboardUrl;
export const apiKeyId = outputs.apiKeyId;
