/**
 * A browsable API reference, server-rendered from the OpenAPI document: no JavaScript, no
 * third-party assets, so it works under the page's strict Content-Security-Policy.
 */
import type { Child } from "hono/jsx";
import { Layout } from "./layout.tsx";

interface Operation {
  summary?: string;
  description?: string;
  tags?: string[];
  parameters?: {
    name: string;
    in: string;
    required?: boolean;
    description?: string;
    schema?: { type?: string; enum?: unknown[] };
  }[];
  requestBody?: { content?: Record<string, { schema?: { $ref?: string } }> };
  responses?: Record<string, { description?: string; content?: Record<string, { schema?: { $ref?: string } }> }>;
  security?: unknown[];
}

export interface OpenApiDocument {
  info: { title: string; version: string; description?: string };
  paths: Record<string, Record<string, Operation>>;
}

const refName = (ref: string | undefined) => (ref ? ref.split("/").pop() : undefined);

function Params(props: { operation: Operation }): Child {
  const params = props.operation.parameters ?? [];
  if (!params.length) return null;
  return (
    <table>
      <thead>
        <tr>
          <th scope="col">parameter</th>
          <th scope="col">in</th>
          <th scope="col">type</th>
          <th scope="col">about</th>
        </tr>
      </thead>
      <tbody>
        {params.map((p) => (
          <tr>
            <td>
              <code>{p.name}</code>
              {p.required ? " (required)" : ""}
            </td>
            <td>{p.in}</td>
            <td>{p.schema?.enum ? p.schema.enum.join(" | ") : (p.schema?.type ?? "")}</td>
            <td>{p.description ?? ""}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function ApiReference(props: { doc: OpenApiDocument }) {
  const operations = Object.entries(props.doc.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, operation]) => ({ path, method, operation })),
  );
  return (
    <Layout title={`${props.doc.info.title} — API reference`}>
      <h1>{props.doc.info.title} API</h1>
      <p>
        Version {props.doc.info.version}. Machine-readable: <a href="/api/openapi.json">/api/openapi.json</a> (OpenAPI
        3.1).
      </p>
      {operations.map(({ path, method, operation }) => (
        <section class="operation" id={`${method}-${path}`}>
          <h2>
            <code>
              {method.toUpperCase()} {path}
            </code>
          </h2>
          <p>{operation.summary ?? ""}</p>
          {operation.description ? <p class="muted">{operation.description}</p> : null}
          {operation.security?.length ? <p class="muted">Needs a bearer token.</p> : null}
          <Params operation={operation} />
          <ul>
            {Object.entries(operation.responses ?? {}).map(([status, response]) => {
              const [type, media] = Object.entries(response.content ?? {})[0] ?? [];
              return (
                <li>
                  <strong>{status}</strong> {response.description ?? ""}
                  {type ? ` — ${type}${refName(media?.schema?.$ref) ? ` (${refName(media?.schema?.$ref)})` : ""}` : ""}
                </li>
              );
            })}
          </ul>
        </section>
      ))}
    </Layout>
  );
}
