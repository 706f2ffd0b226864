/**
 * Text for XML 1.0 (the Atom feed, the SVG badges): characters XML cannot carry anywhere
 * (C0 controls but tab, newline and carriage return; U+FFFE, U+FFFF; lone surrogates) are dropped
 * or replaced, and the five special characters become entities, which is safe in character data
 * and in double- or single-quoted attribute values. Tab, newline and carriage return become
 * character references: a parser normalizes them to spaces in an attribute value (XML 1.0
 * §3.3.3) and a carriage return in text to a newline (§2.11), so only references read back as written.
 */
const XML_INVALID =
  /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
const XML_SPECIAL: Readonly<Record<string, string>> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&apos;",
  "\t": "&#9;",
  "\n": "&#10;",
  "\r": "&#13;",
};

/**
 * `text` with the characters XML cannot carry replaced by `replacement`: "" drops them (a feed
 * reader shows nothing for them), "\ufffd" shows that something was there (a badge measures it).
 *
 * @example
 * xmlSafe("a\u0000b", "\ufffd") // "a\ufffdb"
 */
export function xmlSafe(text: string, replacement: "" | "\ufffd"): string {
  return text.replace(XML_INVALID, replacement);
}

/**
 * Escapes text for XML character data and attribute values, after xmlSafe.
 *
 * @example
 * escapeXml(`<a href="x">&</a>`, "") // "&lt;a href=&quot;x&quot;&gt;&amp;&lt;/a&gt;"
 */
export function escapeXml(text: string, replacement: "" | "\ufffd"): string {
  return xmlSafe(text, replacement).replace(/[&<>"'\t\n\r]/g, (c) => XML_SPECIAL[c]!);
}
