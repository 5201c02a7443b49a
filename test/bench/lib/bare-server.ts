/**
 * The ingest baseline: the least a `POST /events` server can do on Node, a bare `node:http` server that reads the
 * body, parses the JSON and answers 202 `{"eventId"}`. No validation, no storage. Run as its own process (like the
 * local stack) so it never shares an event loop with the load generator: `PORT=<port> node … bare-server.ts`.
 */
import { randomUUID } from "node:crypto";
import { createServer, type Server } from "node:http";

/** Starts the baseline on `port` (0 = any free port) on the loopback interface. */
export function startBareServer(port: number): Promise<Server> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      let status = 202;
      let body: string;
      try {
        JSON.parse(Buffer.concat(chunks).toString("utf8"));
        body = JSON.stringify({ eventId: randomUUID() });
      } catch {
        status = 400;
        body = JSON.stringify({ error: "BadRequestBody", message: "body is not JSON" });
      }
      res.writeHead(status, {
        "content-type": "application/json",
        "content-length": Buffer.byteLength(body),
      });
      res.end(body);
    });
  });
  return new Promise((resolve) => server.listen(port, "127.0.0.1", () => resolve(server)));
}

if (require.main === module) {
  void startBareServer(Number(process.env.PORT ?? 0));
}
