// DOM helpers of the console: elements built from data with textContent only (event data is never parsed as HTML).

/** An element: `h("td", { class: "id" }, "text", child)`; attributes starting with "on" are listeners. */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith("on")) el.addEventListener(name.slice(2), value);
    else if (name === "dataset") Object.assign(el.dataset, value);
    else el.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

/** `el` emptied and filled with `children`. */
export function fill(el, ...children) {
  el.replaceChildren(...children.flat().filter((c) => c !== undefined && c !== null && c !== false));
  return el;
}

/** `12:00:01` of an ISO time, in the browser's time zone. */
export function clock(iso) {
  if (!iso) return "";
  return new Date(iso).toLocaleTimeString([], { hour12: false });
}

/** Options of a `<select>`: the first (the "any" choice) kept, one per route key after it. */
export function routeOptions(select, keys) {
  const first = select.options[0];
  const chosen = select.value;
  fill(
    select,
    first,
    keys.map((k) => h("option", { value: k }, k)),
  );
  select.value = keys.includes(chosen) ? chosen : "";
}
