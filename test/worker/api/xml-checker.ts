/**
 * A small, strict XML well-formedness checker for tests (workerd has no DOMParser). Handles the
 * subset an SVG badge uses: elements, attributes in double quotes, character data, the five
 * predefined entities and numeric character references. No prolog, comments, CDATA, PIs or
 * DOCTYPE (rejected). Checks: one root element, balanced and properly nested tags, no duplicate
 * attributes, no raw `<` in text or attribute values, every `&` starts a valid reference, only
 * characters XML 1.0 allows. Returns a tiny element tree with decoded text and attribute values.
 */

export class XmlError extends Error {
  override name = "XmlError";
}

export interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: (XmlElement | string)[];
}

const NAME = /^[A-Za-z_:][A-Za-z0-9_:.-]*/;
const ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };
const XML_INVALID = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

function decode(raw: string, where: string): string {
  if (raw.includes("<")) throw new XmlError(`raw '<' in ${where}`);
  return raw.replace(/&([^;]*);?/g, (match, ref: string) => {
    if (!match.endsWith(";")) throw new XmlError(`unterminated reference in ${where}: ${JSON.stringify(match)}`);
    const named = ENTITIES[ref];
    if (named !== undefined) return named;
    const num = /^#(?:x([0-9a-fA-F]+)|([0-9]+))$/.exec(ref);
    if (!num) throw new XmlError(`unknown reference &${ref}; in ${where}`);
    const cp = num[1] !== undefined ? Number.parseInt(num[1], 16) : Number(num[2]);
    const ch = String.fromCodePoint(cp);
    if (XML_INVALID.test(ch)) throw new XmlError(`reference to a character XML forbids in ${where}`);
    return ch;
  });
}

export function parseXml(xml: string): XmlElement {
  if (XML_INVALID.test(xml)) throw new XmlError("character XML 1.0 forbids");
  const stack: XmlElement[] = [];
  let root: XmlElement | null = null;
  let i = 0;
  while (i < xml.length) {
    const lt = xml.indexOf("<", i);
    const text = xml.slice(i, lt < 0 ? xml.length : lt);
    if (text !== "") {
      const parent = stack.at(-1);
      if (!parent) {
        if (text.trim() !== "") throw new XmlError(`text outside the root element: ${JSON.stringify(text.slice(0, 40))}`);
      } else {
        parent.children.push(decode(text, `text of <${parent.name}>`));
      }
    }
    if (lt < 0) break;
    i = lt + 1;
    if (xml[i] === "/") {
      const name = NAME.exec(xml.slice(i + 1))?.[0];
      if (!name) throw new XmlError(`bad end tag at ${lt}`);
      i += 1 + name.length;
      while (xml[i] === " ") i++;
      if (xml[i] !== ">") throw new XmlError(`bad end tag </${name} at ${lt}`);
      i++;
      const open = stack.pop();
      if (!open || open.name !== name) throw new XmlError(`</${name}> closes <${open?.name ?? "nothing"}>`);
      continue;
    }
    const name = NAME.exec(xml.slice(i))?.[0];
    if (!name) throw new XmlError(`bad start tag at ${lt}: ${JSON.stringify(xml.slice(lt, lt + 20))}`);
    i += name.length;
    const element: XmlElement = { name, attributes: {}, children: [] };
    for (;;) {
      const ws = /^[ \t\r\n]*/.exec(xml.slice(i))![0];
      i += ws.length;
      if (xml.startsWith("/>", i) || xml[i] === ">") break;
      if (ws === "") throw new XmlError(`missing whitespace before attribute in <${name}>`);
      const attr = NAME.exec(xml.slice(i))?.[0];
      if (!attr) throw new XmlError(`bad attribute in <${name}> at ${i}`);
      i += attr.length;
      if (xml[i] !== "=" || xml[i + 1] !== '"') throw new XmlError(`attribute ${attr} of <${name}> must be ="..."`);
      const end = xml.indexOf('"', i + 2);
      if (end < 0) throw new XmlError(`unterminated attribute ${attr} of <${name}>`);
      if (Object.hasOwn(element.attributes, attr)) throw new XmlError(`duplicate attribute ${attr} in <${name}>`);
      element.attributes[attr] = decode(xml.slice(i + 2, end), `attribute ${attr} of <${name}>`);
      i = end + 1;
    }
    const parent = stack.at(-1);
    if (parent) parent.children.push(element);
    else if (root) throw new XmlError("more than one root element");
    else root = element;
    if (xml.startsWith("/>", i)) {
      i += 2;
    } else {
      i += 1;
      stack.push(element);
    }
  }
  if (stack.length > 0) throw new XmlError(`unclosed <${stack.map((e) => e.name).join("> <")}>`);
  if (!root) throw new XmlError("no root element");
  return root;
}

/** All descendant elements named `name`, in document order. */
export function findAll(element: XmlElement, name: string): XmlElement[] {
  const out: XmlElement[] = [];
  for (const child of element.children) {
    if (typeof child === "string") continue;
    if (child.name === name) out.push(child);
    out.push(...findAll(child, name));
  }
  return out;
}

export function textOf(element: XmlElement): string {
  return element.children.map((c) => (typeof c === "string" ? c : textOf(c))).join("");
}
