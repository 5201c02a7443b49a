// The console's entry module: wires the panels to the page and keeps the polled ones fresh (every 2 s, and soon
// after a delivery outcome).
import { getJson } from "./api.js";
import { DeadLetters } from "./dlq.js";
import { fill, h, routeOptions } from "./dom.js";
import { LiveEvents } from "./live.js";
import { renderHealth, renderRoutes } from "./panels.js";
import { ReplayForm } from "./replay.js";
import { renderTree } from "./tree.js";

const $ = (id) => document.getElementById(id);
const REFRESH_MS = 2000;

async function showTree(id) {
  const view = $("tree-view");
  $("tree-form").elements.id.value = id;
  for (const row of document.querySelectorAll("#live-events tr.selected")) row.classList.remove("selected");
  document.querySelector(`#live-events tr[data-event-id="${CSS.escape(id)}"]`)?.classList.add("selected");
  try {
    const tree = await getJson(`/local/events/${encodeURIComponent(id)}`);
    view.className = "";
    fill(view, renderTree(tree, showTree));
  } catch (err) {
    view.className = "error";
    fill(view, h("span", {}, err.message));
  }
}

let refreshSoon;
async function refresh() {
  clearTimeout(refreshSoon);
  refreshSoon = undefined;
  try {
    const [health, routes] = await Promise.all([getJson("/local/health"), getJson("/local/routes")]);
    renderHealth($("health"), health);
    renderRoutes($("route-rows"), routes.routes);
    const keys = routes.routes.map((r) => r.routeKey);
    for (const select of document.querySelectorAll("select[name=route]")) routeOptions(select, keys);
  } catch (err) {
    fill($("health"), h("div", { class: "error" }, `the local stack does not answer: ${err.message}`));
  }
}

const dlq = new DeadLetters({
  rows: $("dlq-rows"),
  count: $("dlq-count"),
  status: $("dlq-status"),
  route: $("dlq-form").elements.route,
  selectedButton: $("redrive-selected"),
  allButton: $("redrive-all"),
  onSelect: showTree,
  onChange: refresh,
});

const live = new LiveEvents({
  rows: $("live-events"),
  empty: $("live-empty"),
  connection: $("connection"),
  onSelect: showTree,
  // Outcomes come in bursts: one refresh for a burst.
  onOutcome: () => (refreshSoon ??= setTimeout(() => void refresh().then(() => dlq.refresh()), 300)),
});

new ReplayForm({
  form: $("replay-form"),
  box: $("replay-status"),
  progress: $("replay-progress"),
  state: $("replay-state"),
});

$("live-filter").addEventListener("submit", (ev) => {
  ev.preventDefault();
  const f = ev.target.elements;
  live.connect({ "detail-type": f["detail-type"].value.trim(), route: f.route.value });
});
$("live-clear").addEventListener("click", () => live.clear());
$("tree-form").addEventListener("submit", (ev) => {
  ev.preventDefault();
  void showTree(ev.target.elements.id.value.trim());
});
$("dlq-refresh").addEventListener("click", () => void dlq.refresh());

live.connect();
await refresh();
await dlq.refresh();
setInterval(() => void refresh().then(() => dlq.refresh()), REFRESH_MS);
document.body.dataset.ready = "true";
