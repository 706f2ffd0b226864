/**
 * A target that echoes the request back, in the encoding the test asks for, the way careless
 * servers reflect input in error pages: `x-echo-as: raw | base64 | html | upper | unicode |
 * lowerhex` (lowerhex: the raw URL with its %XX escapes in lower case). `?status=503` picks the
 * status. The body is `<method> <url>\n<body>` so every part a probe sent comes back.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

function encode(text: string, as: string): string {
  switch (as) {
    case "base64":
      return Buffer.from(text, "utf8").toString("base64");
    case "html":
      return text
        .replace(/&/g, "&amp;")
        .replace(/</g, "&lt;")
        .replace(/>/g, "&gt;")
        .replace(/"/g, "&quot;")
        .replace(/'/g, "&#39;");
    case "upper":
      return text.toUpperCase();
    case "unicode":
      return [...text].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`).join("");
    case "lowerhex":
      return text.replace(/%[0-9A-F]{2}/g, (h) => h.toLowerCase());
    default:
      return text;
  }
}

export async function startEchoServer(): Promise<{ port: number; close(): Promise<void> }> {
  const server: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const url = req.url ?? "/";
    const status = Number(new URL(url, "http://echo.local").searchParams.get("status") ?? "200");
    const as = String(req.headers["x-echo-as"] ?? "raw");
    res.writeHead(Number.isInteger(status) && status >= 200 && status <= 599 ? status : 200, {
      "content-type": "text/plain; charset=utf-8",
    });
    res.end(encode(`${req.method} ${url}\n${Buffer.concat(chunks).toString("utf8")}`, as));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
