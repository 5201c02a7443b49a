// The polled panels: health in the header (GET /local/health) and the routes with their counts and failures
// (GET /local/routes).
import { fill, h } from "./dom.js";

export function renderHealth(dl, health) {
  const d = health.deliveries;
  const items = [
    ["status", health.status],
    ["events", health.events],
    ["backlog", `${health.open} open`],
    ["retrying", d.retrying],
    ["dead letters", health.dlq],
    [
      "processors",
      (health.isolation === "workers"
        ? `isolated (${health.workers?.workers ?? 0} workers, ${health.workers?.crashed ?? 0} crashed)`
        : "unisolated") + (health.yieldingToIngest ? "; yielding to ingest" : ""),
    ],
  ];
  fill(
    dl,
    items.map(([k, v]) => h("div", { dataset: { fact: k } }, h("dt", {}, k), h("dd", {}, String(v)))),
  );
}

export function renderRoutes(tbody, routes) {
  fill(
    tbody,
    routes.map((r) =>
      h(
        "tr",
        { dataset: { route: r.routeKey }, title: `${r.ruleName}\n${JSON.stringify(r.eventPattern)}` },
        h("td", {}, r.routeKey),
        h("td", {}, r.counts.invocations),
        h("td", {}, r.counts.done),
        h("td", { class: r.counts.failures ? "status-failed" : "" }, r.counts.failures),
        h("td", { class: r.counts.deadLettered ? "status-dead-lettered" : "" }, r.counts.deadLettered),
        h("td", { class: r.dlq.open ? "status-dead-lettered" : "" }, r.dlq.open),
      ),
    ),
  );
}
