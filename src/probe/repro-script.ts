/**
 * A shell script that replays a failed journey up to the step that failed: one curl per HTTP
 * step, the values earlier steps extract captured into shell variables, secrets read from the
 * environment as `${NAME}` (never written in the script), each step's deadline as --max-time.
 * Built from the probe's definition, not from the redacted evidence, so it sends what the run
 * sent.
 *
 * @example
 * reproScript(loaded.probe, result, { values, publicNames, vars: {}, region: "weur" })
 * // #!/bin/sh
 * // : "${SHOP_PASSWORD:?export SHOP_PASSWORD=... first (a secret, not written here)}"
 * // ...
 */
import { shellWord, type Piece } from "./curl.ts";
import { parseJsonPath } from "./jsonpath.ts";
import type { RunResult } from "./result.ts";
import { isScriptStep, type ExpectedStatus, type Extractor, type HttpProbe, type HttpStep } from "./schema.ts";

interface ReproContext {
  /** The values the run read ({{env:}} and {{secret:}}). */
  values: Readonly<Record<string, string>>;
  /** Public names (wrangler.toml [vars]); every other value is a secret and stays out of the script. */
  publicNames: ReadonlySet<string>;
  /** Variables given from outside (--var). */
  vars: Readonly<Record<string, string>>;
  region: string;
}

const PLACEHOLDER = /\{\{\s*([^{}]*?)\s*\}\}/g;
const BUILTIN_VARS: Record<string, { name: string; init: (run: RunResult) => string }> = {
  $runId: { name: "AFTERLIFE_RUN_ID", init: (run) => shellWord([run.runId]) },
  $region: { name: "AFTERLIFE_REGION", init: (run) => shellWord([run.region]) },
  $timestamp: { name: "AFTERLIFE_TIMESTAMP", init: () => `"$(date +%s)000"` },
  $isoTimestamp: { name: "AFTERLIFE_ISO_TIMESTAMP", init: () => `"$(date -u +%Y-%m-%dT%H:%M:%S.000Z)"` },
  $randomId: { name: "AFTERLIFE_RANDOM_ID", init: () => `"$(od -An -N16 -tx1 /dev/urandom | tr -d ' \\n')"` },
};

interface Needs {
  secrets: Set<string>;
  publicValues: Set<string>;
  builtins: Set<string>;
}

/** Template text as shell pieces: literal text, and every placeholder as a shell variable. */
function pieces(text: string, ctx: ReproContext, needs: Needs, encode: (s: string) => string = (s) => s): Piece[] {
  const out: Piece[] = [];
  let at = 0;
  for (const match of text.matchAll(PLACEHOLDER)) {
    if (match.index > at) out.push(encode(text.slice(at, match.index)));
    const expression = match[1]!;
    const named = /^(?:env|secret):(.+)$/.exec(expression);
    if (named) {
      const name = named[1]!;
      if (expression.startsWith("env:") && ctx.publicNames.has(name)) needs.publicValues.add(name);
      else needs.secrets.add(name);
      out.push({ secret: name });
    } else if (BUILTIN_VARS[expression]) {
      needs.builtins.add(expression);
      out.push({ secret: BUILTIN_VARS[expression].name });
    } else {
      out.push({ secret: expression });
    }
    at = match.index + match[0].length;
  }
  if (at < text.length) out.push(encode(text.slice(at)));
  return out;
}

function concat(...parts: Piece[][]): Piece[] {
  return parts.flat();
}

function urlPieces(probe: HttpProbe, step: HttpStep, ctx: ReproContext, needs: Needs): Piece[] {
  const absolute = /^[a-z][a-z0-9+.-]*:\/\//i.test(step.url) || probe.baseUrl === undefined;
  let url: Piece[];
  if (absolute) url = pieces(step.url, ctx, needs);
  else {
    const base = probe.baseUrl!.replace(/\/$/, "");
    url = concat(pieces(base, ctx, needs), pieces(step.url.startsWith("/") ? step.url : `/${step.url}`, ctx, needs));
  }
  const query = Object.entries(step.query);
  query.forEach(([name, value], i) => {
    const hasQuery = i > 0 || step.url.includes("?");
    url.push(`${hasQuery ? "&" : "?"}${encodeURIComponent(name)}=`, ...pieces(value, ctx, needs, encodeURIComponent));
  });
  return url;
}

function statusTest(expected: ExpectedStatus): string {
  if (typeof expected === "number") return `[ "$_status" = ${expected} ]`;
  if (Array.isArray(expected)) return `case "$_status" in ${expected.join("|")}) true ;; *) false ;; esac`;
  return `[ "$_status" -ge ${expected.min} ] && [ "$_status" -le ${expected.max} ]`;
}

function describeStatus(expected: ExpectedStatus): string {
  if (typeof expected === "number") return String(expected);
  if (Array.isArray(expected)) return expected.join(" or ");
  return `${expected.min}-${expected.max}`;
}

/** Node one-liners read the saved response, so the script needs only sh, curl and node. */
function extractCommand(name: string, extractor: Extractor, n: number): string {
  const body = `"$_tmp/${n}.body"`;
  const headers = `"$_tmp/${n}.headers"`;
  switch (extractor.from) {
    case "json": {
      const path = parseJsonPath(extractor.path);
      const keys: (string | number)[] = [];
      let simple = path.lengthOf === undefined;
      for (const segment of path.ast.segments) {
        const node = segment.node;
        if (segment.type !== "ChildSegment") simple = false;
        else if (node.type === "MemberNameShorthand") keys.push(node.value);
        else if (
          node.type === "BracketedSelection" &&
          node.selectors.length === 1 &&
          (node.selectors[0]!.type === "NameSelector" || node.selectors[0]!.type === "IndexSelector")
        )
          keys.push(node.selectors[0]!.value);
        else simple = false;
      }
      if (simple) {
        const js = `let v=JSON.parse(require("fs").readFileSync(process.argv[1],"utf8"));for(const k of JSON.parse(process.argv[2]))v=v==null?undefined:v[typeof k==="number"&&k<0&&Array.isArray(v)?v.length+k:k];if(v===undefined)process.exit(1);process.stdout.write(typeof v==="string"?v:JSON.stringify(v))`;
        return `${name}=$(node -e ${shellWord([js])} ${body} ${shellWord([JSON.stringify(keys)])})`;
      }
      // Wildcards and filters need a JSONPath engine: the project's own (run the script from its folder).
      const js = `import("jsonpath-rfc9535").then(({query})=>{const m=query(JSON.parse(require("fs").readFileSync(process.argv[1],"utf8")),process.argv[2]);if(!m.length)process.exit(1);process.stdout.write(typeof m[0]==="string"?m[0]:JSON.stringify(m[0]))})`;
      return `${name}=$(node -e ${shellWord([js])} ${body} ${shellWord([extractor.path])})`;
    }
    case "header":
      return `${name}=$(grep -i ${shellWord([`^${extractor.name}:`])} ${headers} | head -n 1 | cut -d: -f2- | tr -d '\\r' | sed 's/^ *//')`;
    case "cookie":
      return `${name}=$(grep -i '^set-cookie:' ${headers} | tr -d '\\r' | sed -n ${shellWord([`s/^[^:]*: *${extractor.name.replace(/[^A-Za-z0-9_-]/g, ".")}=\\([^;]*\\).*/\\1/p`])} | head -n 1)`;
    case "regex": {
      const js = `const m=new RegExp(process.argv[2]).exec(require("fs").readFileSync(process.argv[1],"utf8"));if(!m||m[${extractor.group}]===undefined)process.exit(1);process.stdout.write(m[${extractor.group}])`;
      return `${name}=$(node -e ${shellWord([js])} ${body} ${shellWord([extractor.pattern])})`;
    }
  }
}

function bodyOptions(step: HttpStep, ctx: ReproContext, needs: Needs): { options: string[]; contentType?: string } {
  const body = step.body;
  if (body === undefined) return { options: [] };
  if ("json" in body)
    return {
      options: [`--data-raw ${shellWord(pieces(JSON.stringify(body.json), ctx, needs))}`],
      contentType: "application/json",
    };
  if ("form" in body) {
    return {
      options: Object.entries(body.form).map(
        ([k, v]) => `--data-urlencode ${shellWord(concat([`${encodeURIComponent(k)}=`], pieces(v, ctx, needs)))}`,
      ),
      contentType: "application/x-www-form-urlencoded",
    };
  }
  return { options: [`--data-raw ${shellWord(pieces(body.text, ctx, needs))}`], contentType: body.contentType };
}

/** The script, or undefined when the run did not fail (nothing to reproduce). */
export function reproScript(probe: HttpProbe, run: RunResult, ctx: ReproContext): string | undefined {
  const failedAt = run.steps.findIndex((s) => s.status === "failed");
  // A browser journey is replayed with `probe run`, not curl.
  if (failedAt < 0 || !run.failure) return undefined;
  const needs: Needs = { secrets: new Set(), publicValues: new Set(), builtins: new Set() };
  const body: string[] = [];
  probe.steps.slice(0, failedAt + 1).forEach((step, i) => {
    const n = i + 1;
    const last = i === failedAt;
    body.push(
      "",
      `# ${n}. ${step.name}${last ? `  (failed in run ${run.runId}: ${run.failure!.class}: ${run.failure!.message.replace(/\n/g, " ")})` : ""}`,
    );
    if (isScriptStep(step)) {
      body.push(
        `echo ${shellWord([`step ${n} '${step.name}' is a script step: not replayed here (run it with npm run probe -- run)`])}`,
      );
      if (last) body.push("exit 1");
      return;
    }
    const timeoutMs = Math.min(step.timeoutMs ?? probe.stepTimeoutMs, probe.runTimeoutMs);
    const { options, contentType } = bodyOptions(step, ctx, needs);
    const headers = Object.entries(step.headers).map(
      ([name, value]) => `-H ${shellWord(concat([`${name}: `], pieces(value, ctx, needs)))}`,
    );
    if (contentType && !Object.keys(step.headers).some((h) => h.toLowerCase() === "content-type"))
      headers.unshift(`-H ${shellWord([`content-type: ${contentType}`])}`);
    const method = step.method === "HEAD" ? "--head" : `-X ${step.method}`;
    const redirects = step.maxRedirects > 0 ? `-L --max-redirs ${step.maxRedirects}` : "--max-redirs 0";
    const command = [
      `curl -sS ${method} --max-time ${timeoutMs / 1000} ${redirects}`,
      `-o "$_tmp/${n}.body" -D "$_tmp/${n}.headers" -w '%{http_code}'`,
      `-H ${shellWord([`x-afterlife-region: ${ctx.region}`])}`,
      ...headers,
      ...options,
      shellWord(urlPieces(probe, step, ctx, needs)),
    ];
    body.push(`_rc=0; _status=$(${command.join(" \\\n    ")}) || _rc=$?`);
    body.push(
      `if [ "$_rc" -ne 0 ]; then echo ${shellWord([`${n}. ${step.name}: curl failed with exit code `])}"$_rc"${shellWord([` (28: no complete response within --max-time ${timeoutMs / 1000} s, the step's deadline)`])}; exit "$_rc"; fi`,
    );
    body.push(`echo ${shellWord([`${n}. ${step.name}: HTTP `])}"$_status"`);
    if (last) {
      body.push(`cat "$_tmp/${n}.headers" "$_tmp/${n}.body"; echo`);
      body.push(
        `if ${statusTest(step.expectStatus)}; then echo ${shellWord([`status as expected; the run failed on: ${run.failure!.message.replace(/\n/g, " ")}`])}; else echo ${shellWord([`expected status ${describeStatus(step.expectStatus)}, got `])}"$_status"; exit 1; fi`,
      );
      return;
    }
    body.push(
      `if ! { ${statusTest(step.expectStatus)}; }; then echo ${shellWord([`expected status ${describeStatus(step.expectStatus)}; stopping here`])}; cat "$_tmp/${n}.body"; echo; exit 1; fi`,
    );
    for (const [name, extractor] of Object.entries(step.extract)) {
      body.push(
        `${extractCommand(name, extractor, n)} || { echo ${shellWord([`could not extract ${name} from step ${n}`])}; exit 1; }`,
      );
    }
  });

  const head = [
    "#!/bin/sh",
    `# Replays probe '${probe.id}' (run ${run.runId}, region ${run.region}) up to its failing step '${run.failure.step}'.`,
    "# Needs sh, curl and node. Secrets come from your environment and are never written here.",
    "set -u",
  ];
  for (const name of [...needs.secrets].sort())
    head.push(`: "\${${name}:?export ${name}=... first (a secret; its value is not written in this script)}"`);
  for (const name of [...needs.publicValues].sort())
    head.push(`${name}="\${${name}:-${(ctx.values[name] ?? "").replace(/[\\"$`]/g, "\\$&")}}"`);
  for (const [name, value] of Object.entries(ctx.vars)) head.push(`${name}=${shellWord([value])}`);
  for (const b of [...needs.builtins].sort()) head.push(`${BUILTIN_VARS[b]!.name}=${BUILTIN_VARS[b]!.init(run)}`);
  head.push(`_tmp=$(mktemp -d); trap 'rm -rf "$_tmp"' EXIT`);
  return [...head, ...body, ""].join("\n");
}
