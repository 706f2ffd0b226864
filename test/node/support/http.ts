/**
 * One HTTP request on its own connection (`Connection: close`), for tests that talk to a local
 * server after a pause. Global fetch keeps idle connections for reuse; Node's servers (wrangler
 * dev's proxy, the demo shop) close an idle one after 5 s, so a request sent on a pooled
 * connection just as the server closes it fails with "other side closed". How long the pause is
 * (a CLI run in between) depends on the machine's speed; a fresh connection does not.
 */
import { request } from "node:http";

export function httpRequest(
  url: string,
  init: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: init.method ?? "GET", headers: init.headers, agent: false }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (body += chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(init.body);
  });
}
