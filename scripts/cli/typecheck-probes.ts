/**
 * The TypeScript checker run on probe files, with the project's tsconfig: the errors an editor
 * shows (a misspelt ctx.http.gett, a syntax error), each with file:line:col.
 */
import { dirname, join } from "node:path";
import ts from "typescript";
import { ROOT } from "../local/project-root.ts";

interface TypeProblem {
  abs: string;
  line: number;
  col: number;
  message: string;
  /** True for syntax errors: the file cannot even be loaded. */
  syntax: boolean;
}

interface TypecheckResult {
  problems: TypeProblem[];
  sourceFile(abs: string): ts.SourceFile | undefined;
}

export function typecheckProbeFiles(files: string[], root = ROOT): TypecheckResult {
  const configPath = join(root, "tsconfig.json");
  const config = ts.readConfigFile(configPath, ts.sys.readFile);
  const parsed = ts.parseJsonConfigFileContent(config.config ?? {}, ts.sys, dirname(configPath));
  const program = ts.createProgram({ rootNames: files, options: { ...parsed.options, noEmit: true } });
  const problems: TypeProblem[] = [];
  for (const abs of files) {
    const sf = program.getSourceFile(abs);
    if (!sf) continue;
    const syntactic = program.getSyntacticDiagnostics(sf);
    const diagnostics = [
      ...syntactic.map((d) => ({ d, syntax: true })),
      ...(syntactic.length ? [] : program.getSemanticDiagnostics(sf).map((d) => ({ d, syntax: false }))),
    ];
    for (const { d, syntax } of diagnostics) {
      const { line, character } = sf.getLineAndCharacterOfPosition(d.start ?? 0);
      problems.push({
        abs,
        line: line + 1,
        col: character + 1,
        message: `${ts.flattenDiagnosticMessageText(d.messageText, " ")} (TS${d.code})`,
        syntax,
      });
    }
  }
  return { problems, sourceFile: (abs) => program.getSourceFile(abs) };
}
