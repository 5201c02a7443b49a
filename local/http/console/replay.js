// The replay form (POST /local/replay) and its progress (GET /local/replays/:name, polled until it ends).
import { getJson, postJson } from "./api.js";

const DONE = new Set(["COMPLETED", "FAILED", "CANCELLED"]);
const POLL_MS = 250;

/** `datetime-local` value (local time, seconds) of `date`. */
function localInput(date) {
  const pad = (n) => String(n).padStart(2, "0");
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
}

export class ReplayForm {
  constructor({ form, box, progress, state }) {
    Object.assign(this, { form, box, progress, state });
    const now = new Date();
    form.elements.from.value = localInput(new Date(now.getTime() - 3_600_000));
    form.elements.to.value = localInput(new Date(now.getTime() + 60_000));
    form.addEventListener("submit", (ev) => {
      ev.preventDefault();
      void this.start();
    });
  }

  async start() {
    const f = this.form.elements;
    const body = {
      // A datetime-local value is local time; Date reads it so.
      from: new Date(f.from.value).toISOString(),
      to: new Date(f.to.value).toISOString(),
      ...(f.route.value ? { route: f.route.value } : {}),
      ...(f.name.value ? { name: f.name.value } : {}),
    };
    this.box.hidden = false;
    this.progress.removeAttribute("value");
    this.state.className = "";
    this.state.textContent = "starting…";
    try {
      let replay = await postJson("/local/replay", body);
      for (;;) {
        this.show(replay);
        if (DONE.has(replay.state)) break;
        await new Promise((r) => setTimeout(r, POLL_MS));
        replay = await getJson(`/local/replays/${encodeURIComponent(replay.replayName)}`);
      }
    } catch (err) {
      this.state.className = "error";
      this.state.textContent = err.message;
    }
  }

  show(r) {
    if (r.total > 0) this.progress.value = r.replayed / r.total;
    else if (r.state === "COMPLETED") this.progress.value = 1;
    const reason = r.stateReason ? ` (${r.stateReason})` : "";
    this.state.dataset.state = r.state;
    this.state.className = r.state === "FAILED" || r.state === "CANCELLED" ? "error" : "";
    this.state.textContent = `${r.replayName}: ${r.state} ${r.replayed}/${r.total}${reason}`;
  }
}
