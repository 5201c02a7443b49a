import { compile } from "../../infra/pattern";
import { referenceMatches } from "../../infra/pattern/reference";
const n = 100;
const arr = (k: string) => Array.from({ length: n }, () => ({ [k]: 1 }));
const ev2 = JSON.parse(JSON.stringify({ a: Array.from({ length: n }, (_, i) => ({ x: 1, q: i === n - 1 ? undefined : 1 })), b: arr("y"), c: arr("z"), d: arr("w") }));
const p = { a: { x: [1], q: [{ exists: false }] }, b: { y: [1] }, c: { z: [1] }, d: { w: [1] } };
const m3 = compile([{ key: "r", pattern: p }]);
let t = Date.now(); console.log(m3.match(ev2), Date.now() - t, "ms");
t = Date.now(); console.log(referenceMatches(p, ev2), Date.now() - t, "ms");
