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
 *
 * The HTML storefront at /store (login form, products, cart, checkout; its script is
 * /store/app.js) is what browser probes drive. Two more knobs are aimed at it:
 *   {"path":"/store","breakButton":"add-to-cart"}   the add-to-cart buttons throw when clicked
 *   {"path":"/store/app.js","delayMs":3000}          a slow script (products render 3 s late)
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
  /** On /store: this button of the storefront throws when clicked ("add-to-cart" or "checkout"). */
  breakButton?: string;
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

/** The storefront: its script renders the products and runs the login, the cart and the checkout. */
function storePage(broken: string | undefined): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Store - Afterlife Demo Shop</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font:16px system-ui,sans-serif;margin:0;background:#f6f5f2;color:#1c1c1c}
header{background:#23395b;color:#fff;padding:16px 32px}header h1{margin:0;font-size:28px}
main{display:grid;grid-template-columns:280px 1fr;gap:32px;padding:24px 32px}
form label{display:block;margin:8px 0}input{width:100%;padding:6px;box-sizing:border-box}
button{padding:8px 14px;border:0;border-radius:4px;background:#23395b;color:#fff;cursor:pointer;font-size:15px}
#products{display:grid;grid-template-columns:repeat(3,1fr);gap:16px;list-style:none;padding:0;margin:0}
#products li{background:#fff;border-radius:8px;padding:24px;min-height:160px}
#products h2{font-size:26px;margin:0 0 8px}
#banner{display:none;background:#b3261e;color:#fff;padding:14px 32px;font-weight:bold;font-size:18px}
#banner.shown{display:block}
</style></head>
<body data-broken="${broken ?? ""}">
<header><h1>Store</h1></header>
<div id="banner" role="alert" data-testid="banner"></div>
<main>
<aside>
<form id="login" onsubmit="return false"><label>Email <input name="email" autocomplete="username"></label>
<label>Password <input name="password" type="password" autocomplete="current-password"></label>
<button type="submit">Log in</button></form>
<p data-testid="session" role="status">Not signed in</p>
<p data-testid="cart">Cart: 0 items</p>
<button id="checkout" type="button">Checkout</button>
<p data-testid="order"></p>
</aside>
<section><ul id="products" aria-label="Products"></ul></section>
</main>
<script src="/store/app.js" defer></script>
</body></html>`;
}

const STORE_SCRIPT = `(() => {
  const broken = document.body.dataset.broken;
  const banner = document.getElementById("banner");
  const $ = (id) => document.querySelector('[data-testid="' + id + '"]');
  window.addEventListener("error", () => { banner.textContent = "Something went wrong. Please try again."; banner.classList.add("shown"); });
  let token = null;
  const cart = [];
  const render = () => { $("cart").textContent = "Cart: " + cart.length + (cart.length === 1 ? " item" : " items"); };
  document.getElementById("login").addEventListener("submit", async (event) => {
    event.preventDefault();
    const form = new FormData(event.target);
    const res = await fetch("/api/login", { method: "POST", headers: { "content-type": "application/json" },
      body: JSON.stringify({ username: form.get("email"), password: form.get("password") }) });
    if (!res.ok) { $("session").textContent = "Wrong email or password"; return; }
    const body = await res.json();
    token = body.token;
    $("session").textContent = "Signed in as " + body.user.email;
  });
  document.getElementById("checkout").addEventListener("click", async () => {
    if (broken === "checkout") throw new TypeError("checkout is not available");
    const res = await fetch("/api/checkout", { method: "POST", headers: { authorization: "Bearer " + token, "content-type": "application/json" },
      body: JSON.stringify({ items: cart }) });
    const body = await res.json();
    $("order").textContent = res.ok ? "Order confirmed: " + body.orderId : "Checkout failed: " + body.error;
  });
  fetch("/api/products").then((r) => r.json()).then(({ products }) => {
    const list = document.getElementById("products");
    for (const p of products) {
      const li = document.createElement("li");
      li.innerHTML = "<h2></h2><p></p><button type=button></button>";
      li.querySelector("h2").textContent = p.name;
      li.querySelector("p").textContent = (p.priceCents / 100).toFixed(2) + " EUR";
      const button = li.querySelector("button");
      button.textContent = "Add to cart";
      button.setAttribute("aria-label", "Add " + p.name + " to cart");
      button.addEventListener("click", () => {
        if (broken === "add-to-cart") throw new TypeError("cart.add is not a function");
        cart.push(p.id);
        render();
      });
      list.appendChild(li);
    }
  });
})();`;

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
      if (path === "/store") return send(res, 200, storePage(fault?.breakButton));
      if (path === "/store/app.js")
        return send(res, 200, STORE_SCRIPT, { "content-type": "text/javascript; charset=utf-8" });
      if (path === "/favicon.ico") return send(res, 204, "");
      if (path === "/health") return send(res, 200, { ok: true });
      if (path === "/old-home") return send(res, 301, "", { location: "/" });
      if (path === "/redirect-loop") return send(res, 302, "", { location: "/redirect-loop" });
      if (path === "/redirect") return send(res, 302, "", { location: url.searchParams.get("to") ?? "/" });
      if (path === "/echo") {
        const body = await readBody(req);
        return send(res, 200, {
          method: req.method,
          query: Object.fromEntries(url.searchParams),
          headers: req.headers,
          body,
        });
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
        return send(
          res,
          200,
          { token, user: { email: creds.username ?? DEMO_USER } },
          {
            "set-cookie": `session=${token}; HttpOnly; Path=/`,
          },
        );
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
      if (path === "/api/checkout" && req.method === "POST") {
        const auth = req.headers.authorization ?? "";
        if (!sessions.has(auth.replace(/^Bearer /, ""))) return send(res, 401, { error: "login first" });
        const { items } = JSON.parse((await readBody(req)) || "{}") as { items?: unknown[] };
        if (!Array.isArray(items) || items.length === 0) return send(res, 400, { error: "the cart is empty" });
        return send(res, 201, { orderId: `ord_${crypto.randomUUID().slice(0, 8)}`, items: items.length });
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
