/**
 * Finds a probe field in its source file: the line and column of `steps[2].headers.authorization`
 * inside `export default defineProbe({...})`, walking the object and array literals as written.
 * Where the source stops being a literal (a `check.json(...)` call, a variable), the position is
 * that expression's; `needle` narrows it to a piece of text inside (a placeholder).
 */
import ts from "typescript";

interface Position {
  line: number;
  col: number;
}

function unwrap(node: ts.Node, sf: ts.SourceFile): ts.Node {
  let current = node;
  for (;;) {
    if (ts.isParenthesizedExpression(current) || ts.isAsExpression(current) || ts.isSatisfiesExpression(current))
      current = current.expression;
    else if (
      ts.isCallExpression(current) &&
      ts.isIdentifier(current.expression) &&
      current.expression.text === "defineProbe" &&
      current.arguments[0]
    )
      current = current.arguments[0];
    else if (ts.isIdentifier(current)) {
      const name = current.text;
      let init: ts.Node | undefined;
      sf.forEachChild(function find(n) {
        if (ts.isVariableDeclaration(n) && ts.isIdentifier(n.name) && n.name.text === name && n.initializer)
          init = n.initializer;
        else n.forEachChild(find);
      });
      if (!init) return current;
      current = init;
    } else return current;
  }
}

function propertyName(p: ts.ObjectLiteralElementLike): string | undefined {
  if (!p.name) return undefined;
  if (ts.isIdentifier(p.name) || ts.isStringLiteral(p.name) || ts.isNumericLiteral(p.name)) return p.name.text;
  return undefined;
}

/** The node of the probe definition (the object given to defineProbe). */
function probeNode(sf: ts.SourceFile): ts.Node | undefined {
  let found: ts.Node | undefined;
  sf.forEachChild((n) => {
    if (ts.isExportAssignment(n) && !n.isExportEquals) found = unwrap(n.expression, sf);
  });
  return found;
}

export function locate(
  sf: ts.SourceFile,
  at: readonly (string | number)[],
  options: { key?: string; needle?: string } = {},
): Position {
  let node: ts.Node | undefined = probeNode(sf);
  let target: ts.Node | undefined = node;
  const path = options.key !== undefined ? [...at, options.key] : [...at];
  for (const key of path) {
    if (!node) break;
    node = unwrap(node, sf);
    let next: ts.Node | undefined;
    let marker: ts.Node | undefined;
    if (ts.isObjectLiteralExpression(node) && typeof key === "string") {
      const prop = node.properties.find((p) => propertyName(p) === key);
      if (prop) {
        marker = prop;
        next = ts.isPropertyAssignment(prop) ? prop.initializer : prop;
      }
    } else if (ts.isArrayLiteralExpression(node) && typeof key === "number") {
      next = node.elements[key];
      marker = next;
    } else if (ts.isCallExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === "script") {
      // script(name, fn, { timeoutMs })
      const index = key === "name" ? 0 : key === "script" ? 1 : key === "timeoutMs" ? 2 : -1;
      next = index >= 0 ? node.arguments[index] : undefined;
      marker = next;
    }
    if (!next) break;
    node = next;
    target = marker ?? next;
  }
  let pos = (target ?? sf).getStart(sf);
  if (options.needle && node) {
    const text = node.getText(sf);
    const index = text.indexOf(options.needle);
    if (index >= 0) pos = node.getStart(sf) + index;
  }
  const { line, character } = sf.getLineAndCharacterOfPosition(pos);
  return { line: line + 1, col: character + 1 };
}
