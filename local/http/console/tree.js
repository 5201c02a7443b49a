// An event's causal tree (GET /local/events/:id): the event, each route's attempts, its follow-ups and replays,
// as nested lists.
import { clock, h } from "./dom.js";

/** The tree of `view` as a `<ul class="tree">`; `onSelect(id)` when another event of it is clicked. */
export function renderTree(view, onSelect) {
  const list = h("ul", { class: "tree" }, eventItem(view, "", onSelect));
  if (view.truncated) list.append(h("li", { class: "muted" }, "… more events left out (the tree is capped)"));
  return list;
}

function eventItem(node, prefix, onSelect) {
  const e = node.event;
  const children = [];
  for (const r of node.routes) children.push(routeItem(r));
  for (const f of node.followUps)
    children.push(eventItem(f, `follow-up from ${f.cause?.routeKey ?? "?"}`, onSelect));
  for (const r of node.replays) children.push(eventItem(r, `replay ${r.replayName}`, onSelect));
  return h(
    "li",
    { dataset: { node: node.eventId } },
    h(
      "div",
      {},
      prefix ? h("span", { class: "muted" }, `${prefix}: `) : null,
      h("span", { class: "node-title" }, e["detail-type"]),
      " from ",
      e.source,
      " ",
      h(
        "a",
        { href: "#", class: "id", onclick: (ev) => (ev.preventDefault(), onSelect(node.eventId)) },
        node.eventId,
      ),
      " ",
      h("span", { class: `status-${node.status}` }, node.status),
      h("span", { class: "muted" }, ` · accepted ${clock(node.acceptedAt)}`),
      prefix
        ? null
        : h("span", { class: "muted" }, ` · correlation `, h("span", { class: "id" }, node.correlationId)),
    ),
    children.length ? h("ul", {}, children) : null,
  );
}

function routeItem(r) {
  const attempts = (r.history ?? []).map((a) =>
    h(
      "li",
      {},
      `attempt ${a.attempt} `,
      h("span", { class: `status-${a.outcome}` }, a.outcome),
      h("span", { class: "muted" }, ` ${clock(a.startedAt)} → ${clock(a.endedAt)}`),
      a.error ? h("span", { class: "error" }, ` ${a.error}`) : null,
    ),
  );
  return h(
    "li",
    { dataset: { route: r.routeKey } },
    "route ",
    h("strong", {}, r.routeKey),
    ": ",
    h("span", { class: `status-${r.status}` }, r.status),
    h("span", { class: "muted" }, `, ${r.attempts} attempt${r.attempts === 1 ? "" : "s"}`),
    attempts.length ? h("ul", {}, attempts) : null,
  );
}
