/**
 * The OpenAPI document: valid OpenAPI 3.1 for a standard validator, and complete (every route
 * the app serves is documented, and nothing documented is missing from the app).
 */
import { Validator } from "@seriousme/openapi-schema-validator";
import { describe, expect, it } from "vitest";
import { createApp } from "../../../src/api/app.ts";

const app = createApp();

async function openapiDocument(): Promise<{ openapi: string; paths: Record<string, Record<string, unknown>> }> {
  // The document route needs no dependencies; the Worker serves exactly this.
  const res = await app.request("/api/openapi.json", {}, { deps: undefined as never });
  expect(res.status).toBe(200);
  return (await res.json()) as never;
}

describe("OpenAPI document", () => {
  it("validates as OpenAPI 3.1 with a standard validator", async () => {
    const doc = await openapiDocument();
    expect(doc.openapi).toBe("3.1.0");
    const validator = new Validator();
    const result = await validator.validate(doc as never);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it("the validator does reject a broken document (so the check above can fail)", async () => {
    const result = await new Validator().validate({
      openapi: "3.1.0",
      info: { title: "x" },
      paths: { "/x": { get: { responses: "none" } } },
    } as never);
    expect(result.valid).toBe(false);
  });

  it("documents every route of the app, and only those", async () => {
    const doc = await openapiDocument();
    const documented = Object.entries(doc.paths)
      .flatMap(([path, methods]) => Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`))
      .sort();
    const served = [
      ...new Set(
        app.routes
          .filter((r) => r.method !== "ALL")
          .map((r) => `${r.method} ${r.path.replace(/:([A-Za-z0-9_]+)/g, "{$1}")}`),
      ),
    ].sort();
    expect(served.length).toBeGreaterThan(5);
    expect(documented).toEqual(served);
  });
});
