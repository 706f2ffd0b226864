/**
 * XML for the tests' assertions, parsed by saxes, a conformant XML 1.0 parser (workerd has no
 * DOMParser), so the check of what Afterlife writes is independent of how it writes it. Any
 * well-formedness error (unbalanced tags, a raw `<` or `&`, an unknown entity, a duplicate or
 * unquoted attribute, a second root, text outside the root, a character XML forbids) throws
 * XmlError. Returns a tiny element tree with decoded text and attribute values.
 *
 * Why saxes and not @xmldom/xmldom: xmldom accepts a raw `&` in text and control characters,
 * the two mistakes an escaper is most likely to make.
 */
import { SaxesParser } from "saxes";

export class XmlError extends Error {
  override name = "XmlError";
}

export interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: (XmlElement | string)[];
}

export function parseXml(xml: string): XmlElement {
  const parser = new SaxesParser();
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  parser.on("error", (e) => {
    throw new XmlError(e.message);
  });
  parser.on("opentag", (tag) => {
    const element: XmlElement = {
      name: tag.name,
      attributes: { ...(tag.attributes as Record<string, string>) },
      children: [],
    };
    stack.at(-1)?.children.push(element);
    root ??= element;
    stack.push(element);
  });
  parser.on("closetag", () => void stack.pop());
  parser.on("text", (text) => void stack.at(-1)?.children.push(text));
  parser.write(xml).close();
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
