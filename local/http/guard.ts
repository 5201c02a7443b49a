/**
 * Who may talk to the local stack, checked before any route (an `onRequest` hook), each refusal a 403:
 *
 * - `Host` must be a loopback name (`localhost`, `*.localhost`, `127.x.x.x`, `[::1]`) or one of
 *   `allowedHosts` (`*`: any). A web page cannot reach 127.0.0.1 under its own name (DNS rebinding) then.
 * - `Origin`, when sent (browsers send it on every POST), must be this server's own origin (the console it will
 *   serve at `/console`); `Sec-Fetch-Site`, when sent, must be `same-origin` or `none` (typed or bookmarked),
 *   which covers a browser's GETs too. So a page in the user's browser cannot post events or read ops answers.
 * - With a token set, `Authorization` must carry it: `Bearer <token>`, or, for EventBridge API clients (whose
 *   SDK signs every request with SigV4), as the access key id of the signature's `Credential=`. Signatures are
 *   not verified: there is no secret to verify them with; the token is the secret. Compared in constant time.
 *   A browser cannot add a header to a page it opens, so the console gets in once through
 *   `GET /console?token=<token>`: the answer sets the token as a cookie (`HttpOnly`, `SameSite=Strict`, so no other
 *   site's page sends it, and no script reads it) and redirects to `/console`, dropping the token from the
 *   address bar; the page's own requests, its event stream included, then carry the cookie.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { createHash, timingSafeEqual } from "node:crypto";
import { forbidden } from "./errors";
import type { AccessSettings } from "./settings";

/** Registers the checks on every request of `app`. */
export function registerGuard(app: FastifyInstance, settings: AccessSettings): void {
  const anyHost = settings.allowedHosts.includes("*");
  const allowed = new Set(settings.allowedHosts.map((h) => normalize(h)));
  const token = settings.token ? digest(settings.token) : undefined;
  // Nearly every request carries the same Host: remember the last one accepted.
  let lastHost: string | undefined;
  app.addHook("onRequest", (req: FastifyRequest, reply: FastifyReply, done: (err?: Error) => void) => {
    const { host, origin } = req.headers;
    if (host !== undefined && host !== lastHost) {
      const name = hostname(host);
      if (!anyHost && !isLoopbackName(name) && !allowed.has(name)) {
        return done(
          forbidden(
            `Host ${JSON.stringify(host)} is not this server's name; add it to BACKBONE_ALLOWED_HOSTS to accept it`,
          ),
        );
      }
      lastHost = host;
    }
    if (origin !== undefined && !sameOrigin(origin, host)) {
      return done(
        forbidden(`requests from another site's page (Origin ${origin.slice(0, 200)}) are refused`),
      );
    }
    const site = req.headers["sec-fetch-site"];
    if (site !== undefined && site !== "same-origin" && site !== "none") {
      return done(
        forbidden(`requests from another site's page (Sec-Fetch-Site: ${String(site)}) are refused`),
      );
    }
    if (token && !carries(req.headers.authorization, token) && !carriesCookie(req.headers.cookie, token)) {
      if (consoleLogin(req, token)) {
        void reply
          .code(303)
          .header("location", "/console")
          .header("cache-control", "no-store")
          .header(
            "set-cookie",
            `${COOKIE}=${encodeURIComponent(settings.token!)}; Path=/; HttpOnly; SameSite=Strict`,
          )
          .send();
        return;
      }
      return done(
        forbidden(
          "this server requires its token: send Authorization: Bearer <BACKBONE_TOKEN> " +
            "(EventBridge API clients: use it as the access key id, AWS_ACCESS_KEY_ID; " +
            "the web console: open /console?token=<BACKBONE_TOKEN> once)",
        ),
      );
    }
    done();
  });
}

/** The cookie the console's requests carry the token in. */
const COOKIE = "backbone_token";

/** The cookie header carries the token. */
function carriesCookie(cookie: string | undefined, token: Buffer): boolean {
  if (cookie === undefined) return false;
  for (const part of cookie.split(";")) {
    const eq = part.indexOf("=");
    if (eq < 0 || part.slice(0, eq).trim() !== COOKIE) continue;
    let value: string;
    try {
      value = decodeURIComponent(part.slice(eq + 1).trim());
    } catch {
      continue;
    }
    if (timingSafeEqual(digest(value), token)) return true;
  }
  return false;
}

/** `GET /console?token=<token>` with the right token: the console's way in (see above). */
function consoleLogin(req: FastifyRequest, token: Buffer): boolean {
  if (req.method !== "GET") return false;
  const url = req.url;
  const q = url.indexOf("?");
  if (q < 0 || url.slice(0, q) !== "/console") return false;
  const presented = new URLSearchParams(url.slice(q + 1)).get("token");
  return presented !== null && timingSafeEqual(digest(presented), token);
}

/** Whether `host` (a bind address or a Host name, without port) names this machine's loopback interface. */
export function isLoopbackName(host: string): boolean {
  const h = normalize(host);
  return (
    h === "localhost" ||
    h.endsWith(".localhost") ||
    h === "::1" ||
    /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h) ||
    /^::ffff:127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h)
  );
}

/** `Host` without its port and brackets, lowercased, without a trailing dot. */
function hostname(host: string): string {
  const h = host.startsWith("[") ? host.slice(1, host.indexOf("]")) : host.replace(/:\d*$/, "");
  return normalize(h);
}

function normalize(h: string): string {
  const lower = h.trim().toLowerCase();
  const bare = lower.startsWith("[") && lower.endsWith("]") ? lower.slice(1, -1) : lower;
  return bare.endsWith(".") ? bare.slice(0, -1) : bare;
}

/** The page's origin is this server's: `http://` and the same host and port as `Host`. */
function sameOrigin(origin: string, host: string | undefined): boolean {
  if (host === undefined) return false;
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    // `null` (a sandboxed or file page) and anything unparsable.
    return false;
  }
  return url.protocol === "http:" && url.host === host.toLowerCase();
}

function digest(text: string): Buffer {
  return createHash("sha256").update(text).digest();
}

/** `Authorization` carries the token, as a bearer token or as a SigV4 signature's access key id. */
function carries(authorization: string | undefined, token: Buffer): boolean {
  if (authorization === undefined) return false;
  let presented: string | undefined;
  if (/^bearer /i.test(authorization)) presented = authorization.slice(7).trim();
  else presented = /Credential=([^/,\s]+)\//.exec(authorization)?.[1];
  // Hashing first makes both sides the same length, which timingSafeEqual needs.
  return presented !== undefined && timingSafeEqual(digest(presented), token);
}
