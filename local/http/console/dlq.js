// Dead letters (GET /local/dlq) with redrive (POST /local/dlq/redrive): of the selected entries, or of every
// entry shown (one route's when a route is chosen).
import { getJson, postJson } from "./api.js";
import { clock, fill, h } from "./dom.js";

export class DeadLetters {
  constructor({ rows, count, status, route, selectedButton, allButton, onSelect, onChange }) {
    Object.assign(this, { rows, count, status, route, selectedButton, allButton, onSelect, onChange });
    selectedButton.addEventListener("click", () => this.redrive(this.selected()));
    allButton.addEventListener("click", () => this.redrive(undefined));
    route.addEventListener("change", () => this.refresh());
  }

  selected() {
    return [...this.rows.querySelectorAll("input[type=checkbox]:checked")].map((c) => Number(c.value));
  }

  async refresh() {
    const query = new URLSearchParams({ limit: "200" });
    if (this.route.value) query.set("route", this.route.value);
    const page = await getJson(`/local/dlq?${query}`);
    const checked = new Set(this.selected());
    this.count.textContent = String(page.count);
    fill(
      this.rows,
      page.entries.map((e) =>
        h(
          "tr",
          { dataset: { dlqId: e.id } },
          h(
            "td",
            {},
            h("input", {
              type: "checkbox",
              value: e.id,
              checked: checked.has(e.id),
              "aria-label": `select ${e.id}`,
              onchange: () => this.updateButtons(),
            }),
          ),
          h("td", {}, e.id),
          h("td", {}, e.routeKey),
          h(
            "td",
            {},
            h(
              "a",
              { href: "#", class: "id", onclick: (ev) => (ev.preventDefault(), this.onSelect(e.eventId)) },
              e.eventId,
            ),
          ),
          h("td", {}, e.attempts),
          h("td", { class: "error", title: `dead-lettered ${clock(e.deadLetteredAt)}` }, e.error),
        ),
      ),
    );
    if (page.entries.length === 0)
      fill(this.rows, h("tr", {}, h("td", { colspan: 6, class: "muted" }, "No dead letters.")));
    this.updateButtons();
  }

  updateButtons() {
    this.selectedButton.disabled = this.selected().length === 0;
  }

  /** Redrives `ids`, or everything shown (the chosen route's, or all) when `ids` is undefined. */
  async redrive(ids) {
    const body = ids ? { ids } : this.route.value ? { route: this.route.value } : {};
    this.status.className = "muted";
    this.status.textContent = "redriving…";
    try {
      const result = await postJson("/local/dlq/redrive", body);
      this.status.textContent = `Redriven ${result.redriven}${result.entries.length ? `: ${result.entries.map((e) => e.id).join(", ")}` : ""}.`;
    } catch (err) {
      this.status.className = "error";
      this.status.textContent = `Redrive failed: ${err.message}`;
    }
    await this.refresh();
    this.onChange();
  }
}
