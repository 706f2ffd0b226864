/** `wrangler deploy --dry-run`: the production bundle builds with the probes inside, and fits. */
import { mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, expect, it } from "vitest";
import { OFFLINE_ENV, ROOT } from "../../scripts/local/local-network.ts";
import { runToCompletion } from "../../scripts/local/processes.ts";

const outdir = mkdtempSync(join(tmpdir(), "afterlife-build-"));
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

it("bundles for production with every probe, under the Free plan's 3 MB gzipped", async () => {
  const output = await runToCompletion(
    join(ROOT, "node_modules/.bin/wrangler"),
    ["deploy", "--dry-run", "--outdir", outdir],
    { cwd: ROOT, env: OFFLINE_ENV },
  );
  expect(output).toContain("--dry-run: exiting now.");
  const bundle = readFileSync(join(outdir, readdirSync(outdir).find((f) => f.endsWith(".js"))!), "utf8");
  expect(bundle).toContain('"shop-checkout"');
  expect(bundle).toContain('"shop-home"');
  expect(bundle).toContain('"shop-storefront"');
  const gzipped = gzipSync(bundle).byteLength;
  console.log(
    `production bundle: ${(bundle.length / 1024).toFixed(1)} KiB, ${(gzipped / 1024).toFixed(1)} KiB gzipped (Free plan limit 3 MB)`,
  );
  expect(gzipped).toBeLessThan(3 * 1024 * 1024);
});
