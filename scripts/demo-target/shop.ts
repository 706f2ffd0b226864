/**
 * The demo target: a tiny shop on 127.0.0.1 that the example probes, the local runner, the
 * tests and the benchmarks aim at. It has knobs to inject faults on purpose:
 *
 *   POST   /_control/faults   {"path":"/api/cart","region":"weur","status":503,"delayMs":200,"hang":false}
 *   GET    /_control/faults   the faults in force
 *   DELETE /_control/faults   clears them all
 *
 * A fault matches when its `path` (exact, or a prefix ending in `*`) and its `region` (compared
 * with the `x-afterlife-region` header every probe request carries) match; a missing field
 * matches everything. The first matching fault wins.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

interface Fault {
  path?: string;
  region?: string;
  /** Answer with this status instead of the real response. */
  status?: number;
  /** Wait this long before answering. */
  delayMs?: number;
  /** Never answer (the connection stays open until the client gives up). */
  hang?: boolean;
}

interface ShopOptions {
  host?: string;
  port?: number;
  /** The password /api/login accepts (the example probe reads it as {{secret:SHOP_PASSWORD}}). */
  password?: string;
  /** Faults in force from the start. */
  faults?: Fault[];
}

export interface RunningShop {
  url: string;
  port: number;
  server: Server;
  faults: Fault[];
  close(): Promise<void>;
}

const DEMO_USER = "qa@afterlife.test";
export const DEMO_PASSWORD = "demo-password-change-me";

const PRODUCTS = [
  { id: "sku-1", name: "Ghost pepper sauce", priceCents: 899, stock: 12 },
  { id: "sku-2", name: "Lantern", priceCents: 2499, stock: 3 },
  { id: "sku-3", name: "Candle set", priceCents: 1299, stock: 40 },
];

function faultMatches(fault: Fault, path: string, region: string | undefined): boolean {
  if (fault.region !== undefined && fault.region !== region) return false;
  if (fault.path === undefined) return true;
  return fault.path.endsWith("*") ? path.startsWith(fault.path.slice(0, -1)) : fault.path === path;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const isText = typeof body === "string";
  const payload = isText ? body : JSON.stringify(body);
  res.writeHead(status, {
    "content-type": isText ? "text/html; charset=utf-8" : "application/json",
    "content-length": Buffer.byteLength(payload).toString(),
    ...headers,
  });
  res.end(payload);
}

const HOME_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Afterlife Demo Shop</title></head>
<body><h1>Welcome to the Afterlife Demo Shop</h1><p>Everything for the long night.</p>
<form method="post" action="/api/login"><input name="username"><input name="password" type="password"></form>
</body></html>`;

/** Starts the demo shop. Resolves once it listens; `close()` stops it and drops open sockets. */
export async function startShop(options: ShopOptions = {}): Promise<RunningShop> {
  const password = options.password ?? DEMO_PASSWORD;
  const faults: Fault[] = [...(options.faults ?? [])];
  const sessions = new Set<string>();

  const server = createServer(async (req, res) => {
    try {
      const url = new URL(req.url ?? "/", "http://shop.local");
      const path = url.pathname;
      const region = req.headers["x-afterlife-region"]?.toString();

      if (path === "/_control/faults") {
        if (req.method === "GET") return send(res, 200, { faults });
        if (req.method === "DELETE") {
          faults.length = 0;
          return send(res, 200, { faults });
        }
        if (req.method === "POST") {
          const fault = JSON.parse((await readBody(req)) || "{}") as Fault;
          faults.unshift(fault);
          return send(res, 201, { faults });
        }
        return send(res, 405, { error: "use GET, POST or DELETE" });
      }

      const fault = faults.find((f) => faultMatches(f, path, region));
      if (fault?.hang) return; // never answer
      if (fault?.delayMs) await new Promise((r) => setTimeout(r, fault.delayMs));
      if (fault?.status) return send(res, fault.status, { error: "injected fault", status: fault.status });

      if (path === "/" && (req.method === "GET" || req.method === "HEAD")) return send(res, 200, HOME_PAGE);
      if (path === "/health") return send(res, 200, { ok: true });
      if (path === "/old-home") return send(res, 301, "", { location: "/" });
      if (path === "/redirect-loop") return send(res, 302, "", { location: "/redirect-loop" });
      if (path === "/redirect") return send(res, 302, "", { location: url.searchParams.get("to") ?? "/" });
      if (path === "/echo") {
        const body = await readBody(req);
        return send(res, 200, { method: req.method, query: Object.fromEntries(url.searchParams), headers: req.headers, body });
      }
      if (path === "/api/products") return send(res, 200, { products: PRODUCTS, count: PRODUCTS.length });
      if (path === "/api/login" && req.method === "POST") {
        const raw = await readBody(req);
        const type = req.headers["content-type"] ?? "";
        const creds = type.includes("json")
          ? (JSON.parse(raw || "{}") as Record<string, string>)
          : Object.fromEntries(new URLSearchParams(raw));
        if (creds.password !== password) return send(res, 401, { error: "invalid credentials" });
        const token = `tok_${crypto.randomUUID().replaceAll("-", "")}`;
        sessions.add(token);
        return send(res, 200, { token, user: { email: creds.username ?? DEMO_USER } }, {
          "set-cookie": `session=${token}; HttpOnly; Path=/`,
        });
      }
      if (path === "/api/cart") {
        const auth = req.headers.authorization ?? "";
        if (!sessions.has(auth.replace(/^Bearer /, ""))) return send(res, 401, { error: "login first" });
        const items = [
          { sku: "sku-1", quantity: 2, priceCents: 899 },
          { sku: "sku-3", quantity: 1, priceCents: 1299 },
        ];
        const totalCents = items.reduce((sum, i) => sum + i.quantity * i.priceCents, 0);
        return send(res, 200, { items, totalCents, currency: "EUR" });
      }
      if (path.startsWith("/api/products/")) {
        const product = PRODUCTS.find((p) => p.id === path.slice("/api/products/".length));
        return product ? send(res, 200, product) : send(res, 404, { error: "no such product" });
      }
      return send(res, 404, { error: "not found", path });
    } catch (error) {
      send(res, 500, { error: String(error) });
    }
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    server,
    faults,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
