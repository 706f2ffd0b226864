/**
 * The forms a value takes on the wire or when a target echoes it back, so the redactor can
 * scrub every copy, not only the literal one: JSON-escaped (also fully \uXXXX-escaped), URL
 * component, form (`+` for spaces, `!'()~` escaped), URL path (only what a path must escape:
 * space, `"`, `<`, `>`, `` ` ``, `#`, `?`, `{`, `}`, non-ASCII), HTML-escaped, base64 (at each
 * of the three alignments it can take inside a longer base64 text, and base64url), and upper
 * and lower case. Hex in %xx and \uXXXX is matched in either case by the redactor itself,
 * which compares ASCII letters case-insensitively.
 */

/** A base64 fragment shorter than this says too little to scrub it everywhere. */
const MIN_BASE64_FRAGMENT = 6;

/**
 * Every wire form (how a request carries the value) in every echo form (how a target may
 * reflect what it received): a JSON body's escaped copy can come back HTML-escaped or base64.
 */
export function encodingsOf(value: string): string[] {
  const forms = new Set<string>();
  for (const wire of wireForms(value)) for (const echoed of echoForms(wire)) forms.add(echoed);
  forms.delete("");
  return [...forms];
}

function wireForms(value: string): string[] {
  const forms = new Set<string>([value, JSON.stringify(value).slice(1, -1)]);
  try {
    const component = encodeURIComponent(value);
    forms.add(component).add(component.replace(/%20/g, "+"));
    forms.add(new URLSearchParams({ v: value }).toString().slice(2));
    forms.add(pathEncoded(value));
  } catch {
    // A lone surrogate has no UTF-8 form; the other forms still apply.
  }
  return [...forms];
}

function echoForms(value: string): string[] {
  const forms = [
    value,
    value.toUpperCase(),
    value.toLowerCase(),
    unicodeEscaped(value, false),
    unicodeEscaped(value, true),
  ];
  forms.push(htmlEscaped(value, "&#39;"), htmlEscaped(value, "&#x27;"), htmlEscaped(value, "&apos;"));
  try {
    forms.push(...base64Fragments(value));
  } catch {
    // A lone surrogate has no UTF-8 form.
  }
  return forms;
}

/** \uXXXX for every character outside printable ASCII, or for every character. */
function unicodeEscaped(value: string, all: boolean): string {
  let out = "";
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    out += all || code < 0x20 || code > 0x7e ? `\\u${code.toString(16).padStart(4, "0")}` : value[i];
  }
  return out;
}

function htmlEscaped(value: string, apostrophe: string): string {
  return value
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, apostrophe);
}

/** WHATWG's path percent-encode set: what `new URL()` escapes in a path segment. */
function pathEncoded(value: string): string {
  let out = "";
  for (const char of value) {
    const code = char.codePointAt(0)!;
    out += code <= 0x20 || code >= 0x7f || `"#<>?\`{}`.includes(char) ? encodeURIComponent(char) : char;
  }
  return out;
}

/**
 * The characters of base64(…value…) that depend on the value alone, for each alignment the
 * value can have after 0, 1 or 2 other bytes, in standard and URL-safe alphabets.
 */
function base64Fragments(value: string): string[] {
  const bytes = new TextEncoder().encode(value);
  const fragments: string[] = [];
  for (let offset = 0; offset < 3; offset++) {
    const padded = new Uint8Array(offset + bytes.length);
    padded.set(bytes, offset);
    const encoded = btoa(String.fromCharCode(...padded));
    // Characters 6-bit aligned wholly inside the value's bits.
    const start = Math.ceil((offset * 8) / 6);
    const end = Math.floor(((offset + bytes.length) * 8) / 6);
    const fragment = encoded.slice(start, end);
    if (fragment.length >= MIN_BASE64_FRAGMENT)
      fragments.push(fragment, fragment.replace(/\+/g, "-").replace(/\//g, "_"));
  }
  return fragments;
}
