// Live events: the stack's server-sent events (GET /local/events/stream), newest first, each row's routes
// updated as their outcomes arrive. At most MAX_ROWS rows are kept.
import { clock, fill, h } from "./dom.js";

const MAX_ROWS = 200;

export class LiveEvents {
  /** `onSelect(eventId)` when a row is clicked; `onOutcome()` after each outcome (counts change). */
  constructor({ rows, empty, connection, onSelect, onOutcome }) {
    Object.assign(this, { rows, empty, connection, onSelect, onOutcome });
    this.byId = new Map();
    this.source = undefined;
  }

  /** (Re)connects with `filter` ({detail-type, route}); EventSource reconnects by itself after a drop. */
  connect(filter = {}) {
    this.source?.close();
    const query = new URLSearchParams(Object.entries(filter).filter(([, v]) => v));
    const source = new EventSource(`/local/events/stream${query.size ? `?${query}` : ""}`);
    this.source = source;
    this.status("connecting…", "");
    source.onopen = () => this.status("live", "live");
    source.onerror = () =>
      this.status(source.readyState === EventSource.CLOSED ? "disconnected" : "reconnecting…", "down");
    source.addEventListener("accepted", (m) => this.accepted(JSON.parse(m.data)));
    source.addEventListener("outcome", (m) => this.outcome(JSON.parse(m.data)));
    source.addEventListener("dropped", (m) => {
      this.rows.prepend(
        h(
          "tr",
          {},
          h(
            "td",
            { colspan: 5, class: "muted" },
            `${JSON.parse(m.data).dropped} events dropped (this page fell behind)`,
          ),
        ),
      );
    });
  }

  clear() {
    this.byId.clear();
    fill(this.rows);
    this.empty.hidden = false;
  }

  status(text, cls) {
    this.connection.textContent = text;
    this.connection.className = `pill ${cls}`;
  }

  accepted(e) {
    const chips = new Map(e.routes.map((key) => [key, h("span", { class: "chip", title: "pending" }, key)]));
    const kind = e.replayName ? ` (replay ${e.replayName})` : e.cause ? " (follow-up)" : "";
    const row = h(
      "tr",
      {
        dataset: { eventId: e.eventId },
        onclick: () => this.onSelect(e.eventId),
        title: "show its causal tree",
      },
      h("td", {}, clock(e.acceptedAt)),
      h("td", {}, e.detailType, h("span", { class: "muted" }, kind)),
      h("td", {}, e.source),
      h("td", { class: "id" }, e.eventId),
      h("td", {}, e.routes.length ? [...chips.values()] : h("span", { class: "muted" }, "no route")),
    );
    this.byId.set(e.eventId, { row, chips });
    this.rows.prepend(row);
    this.empty.hidden = true;
    while (this.rows.children.length > MAX_ROWS) {
      const last = this.rows.lastElementChild;
      this.byId.delete(last.dataset.eventId);
      last.remove();
    }
  }

  outcome(o) {
    const chip = this.byId.get(o.eventId)?.chips.get(o.routeKey);
    if (chip) {
      chip.className = `chip ${o.status}`;
      chip.dataset.status = o.status;
      chip.title = `${o.status}, attempt ${o.attempt}, ${o.durationMs} ms${o.error ? `: ${o.error}` : ""}`;
      chip.textContent = `${o.routeKey} ${o.status === "done" ? "✓" : o.status === "retrying" ? "↻" : "✗"}`;
    }
    this.onOutcome();
  }
}
