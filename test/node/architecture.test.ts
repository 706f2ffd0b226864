/**
 * The layering README.md "Architecture" describes, checked on the import graph that the
 * TypeScript compiler reads from the source (the same parser `tsc` uses, so type-only imports,
 * re-exports and dynamic `import()` count like any other):
 * - pages (src/page/) and incidents (src/incidents/) never import src/api/; src/queries/
 *   never imports src/api/ either (the API, pages and tick stages share it);
 * - only src/index.ts and the region runner see the Worker's env (a value typed WorkerEnv or
 *   anything extending it, or an import of `cloudflare:*`); config.ts is the parser they hand
 *   it to;
 * - no import cycle in src/;
 * - no unused export: every export of src/, scripts/ and the test support files is imported
 *   somewhere (tests count: a pure function exported for its test is in use).
 *
 * Why a test and not a linter plugin: one graph answers all four questions, with the compiler
 * already in the project; knip would add a dependency tree for the last one only.
 */
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import ts from "typescript";
import { beforeAll, describe, expect, it } from "vitest";

const ROOT = resolve(import.meta.dirname, "../..");

function filesUnder(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && /\.(ts|tsx)$/.test(e.name) && !e.name.endsWith(".d.ts"))
    .map((e) => relative(ROOT, join(e.parentPath, e.name)).replaceAll("\\", "/"))
    .filter((f) => !f.startsWith("src/generated/"))
    .sort();
}

interface Edge {
  /** Repository-relative path of the imported file, or the bare specifier of a package. */
  to: string;
  /** The names imported; "*" for a namespace import, `export *` or a dynamic import. */
  names: string[];
}

interface FileInfo {
  source: ts.SourceFile;
  edges: Edge[];
  /** Names this file exports (declarations and `export { }` lists; "default" for a default export). */
  exports: string[];
}

function resolveSpecifier(from: string, specifier: string): string {
  if (!specifier.startsWith(".")) return specifier;
  return relative(ROOT, resolve(ROOT, dirname(from), specifier)).replaceAll("\\", "/");
}

function readFile(file: string): FileInfo {
  const text = readFileSync(join(ROOT, file), "utf8");
  const source = ts.createSourceFile(
    file,
    text,
    ts.ScriptTarget.Latest,
    true,
    file.endsWith(".tsx") ? ts.ScriptKind.TSX : ts.ScriptKind.TS,
  );
  const edges: Edge[] = [];
  const exports: string[] = [];
  const exported = (node: ts.Node) =>
    ts.canHaveModifiers(node) && (ts.getModifiers(node) ?? []).some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
  const isDefault = (node: ts.Node) =>
    ts.canHaveModifiers(node) && (ts.getModifiers(node) ?? []).some((m) => m.kind === ts.SyntaxKind.DefaultKeyword);
  for (const statement of source.statements) {
    if (ts.isImportDeclaration(statement) && ts.isStringLiteral(statement.moduleSpecifier)) {
      const clause = statement.importClause;
      const names: string[] = [];
      if (clause?.name) names.push("default");
      if (clause?.namedBindings && ts.isNamespaceImport(clause.namedBindings)) names.push("*");
      if (clause?.namedBindings && ts.isNamedImports(clause.namedBindings))
        for (const e of clause.namedBindings.elements) names.push((e.propertyName ?? e.name).text);
      edges.push({ to: resolveSpecifier(file, statement.moduleSpecifier.text), names });
    } else if (ts.isExportDeclaration(statement)) {
      const clause = statement.exportClause;
      if (statement.moduleSpecifier && ts.isStringLiteral(statement.moduleSpecifier)) {
        const names =
          clause && ts.isNamedExports(clause) ? clause.elements.map((e) => (e.propertyName ?? e.name).text) : ["*"];
        edges.push({ to: resolveSpecifier(file, statement.moduleSpecifier.text), names });
      }
      if (clause && ts.isNamedExports(clause)) for (const e of clause.elements) exports.push(e.name.text);
    } else if (ts.isExportAssignment(statement)) {
      exports.push("default");
    } else if (exported(statement)) {
      if (isDefault(statement)) exports.push("default");
      else if (ts.isVariableStatement(statement))
        for (const d of statement.declarationList.declarations) exports.push(d.name.getText(source));
      else if ("name" in statement && statement.name && ts.isIdentifier(statement.name as ts.Node))
        exports.push((statement.name as ts.Identifier).text);
    }
  }
  const visit = (node: ts.Node): void => {
    if (
      ts.isCallExpression(node) &&
      node.expression.kind === ts.SyntaxKind.ImportKeyword &&
      node.arguments[0] &&
      ts.isStringLiteralLike(node.arguments[0])
    ) {
      edges.push({ to: resolveSpecifier(file, node.arguments[0].text), names: ["*"] });
    }
    if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) {
      edges.push({
        to: resolveSpecifier(file, node.argument.literal.text),
        names: [node.qualifier ? node.qualifier.getText(source).split(".")[0]! : "*"],
      });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return { source, edges, exports };
}

const SRC = filesUnder("src");
const ALL = [...SRC, ...filesUnder("scripts"), ...filesUnder("probes"), ...filesUnder("test"), "vitest.config.ts"];
const files = new Map<string, FileInfo>();

beforeAll(() => {
  for (const file of ALL) files.set(file, readFile(file));
});

const importsOf = (file: string) => files.get(file)!.edges.filter((e) => e.to.startsWith("src/"));

describe("layers", () => {
  it.each([["src/page/"], ["src/incidents/"], ["src/queries/"]])("nothing under %s imports src/api/", (layer) => {
    const offending = SRC.filter((f) => f.startsWith(layer)).flatMap((f) =>
      importsOf(f)
        .filter((e) => e.to.startsWith("src/api/"))
        .map((e) => `${f} -> ${e.to}`),
    );
    expect(offending).toEqual([]);
  });

  it("only src/index.ts and the region runner import cloudflare:*", () => {
    const offending = SRC.flatMap((f) =>
      files
        .get(f)!
        .edges.filter((e) => e.to.startsWith("cloudflare:"))
        .map((e) => `${f} -> ${e.to}`),
    );
    expect(
      offending.filter(
        (line) => !line.startsWith("src/index.ts ") && !line.startsWith("src/schedule/region-runner.ts "),
      ),
    ).toEqual([]);
  });

  it("only src/index.ts, the region runner and the config parser see the Worker's env", () => {
    // The type checker, over src/ only: any expression or declaration typed WorkerEnv (or an
    // interface extending it, such as RegionRunnerEnv) outside those files is a module reading env.
    const program = ts.createProgram(
      SRC.map((f) => join(ROOT, f)),
      {
        ...ts.getDefaultCompilerOptions(),
        strict: true,
        noEmit: true,
        allowImportingTsExtensions: true,
        module: ts.ModuleKind.ESNext,
        moduleResolution: ts.ModuleResolutionKind.Bundler,
        target: ts.ScriptTarget.ES2022,
        jsx: ts.JsxEmit.ReactJSX,
        jsxImportSource: "hono/jsx",
        types: ["@cloudflare/workers-types"],
        skipLibCheck: true,
        noResolve: false,
      },
    );
    const checker = program.getTypeChecker();
    const isEnvType = (type: ts.Type): boolean => {
      const symbol = type.getSymbol() ?? type.aliasSymbol;
      if (!symbol) return false;
      if (
        symbol.getName() === "WorkerEnv" &&
        symbol.declarations?.some((d) => d.getSourceFile().fileName.endsWith("src/config.ts"))
      )
        return true;
      return (type.isClassOrInterface() ? checker.getBaseTypes(type) : []).some(isEnvType);
    };
    const allowed = new Set(["src/index.ts", "src/schedule/region-runner.ts", "src/config.ts"]);
    const offending: string[] = [];
    for (const file of SRC.filter((f) => !allowed.has(f))) {
      const source = program.getSourceFile(join(ROOT, file))!;
      const visit = (node: ts.Node): void => {
        if (
          (ts.isParameter(node) || ts.isVariableDeclaration(node) || ts.isPropertyDeclaration(node)) &&
          isEnvType(checker.getTypeAtLocation(node))
        ) {
          const { line } = source.getLineAndCharacterOfPosition(node.getStart());
          offending.push(`${file}:${line + 1} ${node.getText(source).slice(0, 60)}`);
        }
        ts.forEachChild(node, visit);
      };
      visit(source);
    }
    expect(offending).toEqual([]);
  });
});

describe("the import graph of src/", () => {
  it("has no cycle", () => {
    const cycles: string[] = [];
    const state = new Map<string, "open" | "done">();
    const path: string[] = [];
    const walk = (file: string): void => {
      state.set(file, "open");
      path.push(file);
      for (const next of new Set(importsOf(file).map((e) => e.to))) {
        if (!files.has(next)) continue;
        if (state.get(next) === "open") cycles.push([...path.slice(path.indexOf(next)), next].join(" -> "));
        else if (!state.has(next)) walk(next);
      }
      path.pop();
      state.set(file, "done");
    };
    for (const file of SRC) if (!state.has(file)) walk(file);
    expect(cycles).toEqual([]);
  });

  it("resolves every relative import to a file", () => {
    const missing = ALL.flatMap((f) =>
      files
        .get(f)!
        .edges.filter(
          (e) => /^(src|test|scripts|probes)\//.test(e.to) && !e.to.startsWith("src/generated/") && !files.has(e.to),
        )
        .map((e) => `${f} -> ${e.to}`),
    );
    expect(missing).toEqual([]);
  });
});

describe("exports", () => {
  it("every export of src/, scripts/ and test support files is imported somewhere", () => {
    const used = new Map<string, Set<string>>();
    for (const info of files.values())
      for (const edge of info.edges)
        for (const name of edge.names) (used.get(edge.to) ?? used.set(edge.to, new Set()).get(edge.to)!).add(name);
    // What the platform or a tool loads by itself: the Worker's entry, the probe DSL (its exports
    // are for probe files, drafts anywhere on disk included), the probes (the generated registry
    // imports them), test files and the config files.
    const entry = (f: string) =>
      f === "src/index.ts" ||
      f === "src/probe/define-probe.ts" ||
      f.startsWith("probes/") ||
      f.endsWith(".test.ts") ||
      f === "vitest.config.ts" ||
      f === "test/global-setup.ts" ||
      f === "test/worker/setup.ts";
    const unused: string[] = [];
    for (const [file, info] of files) {
      if (entry(file)) continue;
      const names = used.get(file) ?? new Set();
      if (names.has("*")) continue;
      for (const name of info.exports) if (!names.has(name)) unused.push(`${file}: ${name}`);
    }
    // The whole list (an assertion diff is cut short): drop the `export`, or the declaration if nothing uses it.
    if (unused.length > 0) console.error(`unused exports:\n${unused.join("\n")}`);
    expect(unused).toEqual([]);
  });
});
