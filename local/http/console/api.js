// The console's requests: this server's /local/ endpoints only (same origin), JSON in and out.

/** The local stack's error (`{error, message}`), or the HTTP status, as an Error's message. */
async function failure(res) {
  try {
    const body = await res.json();
    if (body && body.message) return new Error(`${body.error ?? res.status}: ${body.message}`);
  } catch {
    // Not JSON: the status says it.
  }
  return new Error(`HTTP ${res.status}`);
}

export async function getJson(path) {
  const res = await fetch(path, { headers: { accept: "application/json" } });
  if (!res.ok) throw await failure(res);
  return res.json();
}

export async function postJson(path, body) {
  const res = await fetch(path, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json" },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw await failure(res);
  return res.json();
}
