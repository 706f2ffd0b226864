/**
 * A webhook receiver on 127.0.0.1 for notices: it records every delivery and can answer with
 * chosen statuses, so the tests (and you, locally) can watch notifications arrive.
 *
 *   POST /hook            a delivery (recorded with its headers and body)
 *   GET  /deliveries      what was received
 *   POST /_control/script {"statuses":[500,200],"match":"shop-"}  answer the next deliveries
 *                         (whose x-afterlife-delivery starts with `match`, if given) with these, then 200
 *   DELETE /deliveries    forget everything
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

interface Delivery {
  at: number;
  status: number;
  headers: Record<string, string>;
  body: string;
}

export interface RunningReceiver {
  url: string;
  port: number;
  deliveries: Delivery[];
  server: Server;
  close(): Promise<void>;
}

export async function startWebhookReceiver(
  options: { port?: number; log?: (line: string) => void } = {},
): Promise<RunningReceiver> {
  const deliveries: Delivery[] = [];
  let script: number[] = [];
  let match = "";
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString("utf8");
    const path = new URL(req.url ?? "/", "http://receiver.local").pathname;
    const json = (status: number, value: unknown) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(value));
    };
    if (path === "/deliveries" && req.method === "GET") return json(200, { deliveries });
    if (path === "/deliveries" && req.method === "DELETE") {
      deliveries.length = 0;
      script = [];
      return json(200, { deliveries });
    }
    if (path === "/_control/script" && req.method === "POST") {
      const control = JSON.parse(body || "{}") as { statuses?: number[]; match?: string };
      script = control.statuses ?? [];
      match = control.match ?? "";
      return json(200, { script, match });
    }
    const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)]));
    const scripted = (headers["x-afterlife-delivery"] ?? "").startsWith(match);
    const status = (scripted ? script.shift() : undefined) ?? 200;
    deliveries.push({ at: Date.now(), status, headers, body });
    options.log?.(`notice ${status}: ${headers["x-afterlife-event"] ?? ""} ${body}`);
    return json(status, { received: status < 300 });
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, "127.0.0.1", () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    deliveries,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
