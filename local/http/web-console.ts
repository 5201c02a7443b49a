/**
 * The web console at `/console`: plain HTML, CSS and browser ES modules from `local/http/console/`, read into
 * memory once when the app is built (no build step, nothing fetched from elsewhere: it works offline). The
 * page talks only to this server's own `/local/` endpoints and stream, same-origin.
 *
 * Served by hand rather than with a static-files plugin: the set is a handful of files fixed at start-up, and
 * a request's path is only ever looked up in that set, never joined to a file-system path (no traversal to
 * guard against). A Content-Security-Policy keeps the page to its own origin: scripts, styles and requests.
 */
import type { FastifyInstance } from "fastify";
import { readdirSync, readFileSync } from "node:fs";
import { extname, join } from "node:path";
import { notFound } from "./errors";

/** Where the console's files are. */
export const CONSOLE_DIR = join(__dirname, "console");

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".svg": "image/svg+xml",
};

const HEADERS = {
  "cache-control": "no-cache",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "content-security-policy":
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; " +
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
};

/** Registers `GET /console` (the page) and `GET /console/<file>` (its scripts and styles). */
export function registerConsole(app: FastifyInstance, dir = CONSOLE_DIR): void {
  const files = new Map<string, { type: string; body: Buffer }>();
  for (const name of readdirSync(dir)) {
    const type = TYPES[extname(name)];
    if (type) files.set(name, { type, body: readFileSync(join(dir, name)) });
  }
  const page = files.get("index.html");
  if (!page) throw new Error(`the console's index.html is missing from ${dir}`);

  for (const path of ["/console", "/console/"]) {
    app.get(path, (_req, reply) => reply.headers(HEADERS).type(page.type).send(page.body));
  }
  app.get<{ Params: { file: string } }>("/console/:file", (req, reply) => {
    const file = files.get(req.params.file);
    if (!file) throw notFound(`the console has no file ${req.params.file}`);
    return reply.headers(HEADERS).type(file.type).send(file.body);
  });
}
