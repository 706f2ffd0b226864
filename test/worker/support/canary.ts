/**
 * Where a secret still shows in a text: any 8-character part of it (or all of it, when
 * shorter), compared case-insensitively, in its plain form and in the forms a target may echo
 * it in. The forms are computed here on their own, not with the code under test.
 */
const PART = 8;

function parts(form: string): string[] {
  if (form.length <= PART) return [form];
  const out: string[] = [];
  for (let i = 0; i + PART <= form.length; i++) out.push(form.slice(i, i + PART));
  return out;
}

/**
 * Base64 fragments shorter than 6 characters (of secrets of 1 to 4 bytes) are not looked for:
 * such a fragment says nothing, and the redactor does not scrub them either (encodings.ts).
 */
function base64Forms(secret: string): string[] {
  const bytes = new TextEncoder().encode(secret);
  return [0, 1, 2]
    .map((offset) => {
      const padded = new Uint8Array(offset + bytes.length);
      padded.set(bytes, offset);
      const encoded = btoa(String.fromCharCode(...padded));
      // Only the characters that depend on the secret alone.
      return encoded.slice(Math.ceil((offset * 8) / 6), Math.floor(((offset + bytes.length) * 8) / 6));
    })
    .filter((fragment) => fragment.length >= 6);
}

function secretForms(secret: string): string[] {
  const html = secret
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");
  const unicode = [...secret].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`).join("");
  const path = new URL(`http://x/${secret}`).pathname.slice(1);
  return [
    secret,
    JSON.stringify(secret).slice(1, -1),
    encodeURIComponent(secret),
    new URLSearchParams({ v: secret }).toString().slice(2),
    path,
    html,
    unicode,
    ...base64Forms(secret),
  ];
}

/** Each place a part of the secret (in any of its forms) shows, with some context; [] when none. */
export function exposures(text: string, secret: string): string[] {
  const folded = text.toLowerCase();
  const found: string[] = [];
  for (const form of secretForms(secret)) {
    for (const part of parts(form)) {
      // Base64 is case-sensitive; the other forms are compared case-insensitively.
      const at =
        /^[A-Za-z0-9+/]+$/.test(form) && form !== secret ? text.indexOf(part) : folded.indexOf(part.toLowerCase());
      if (at !== -1) {
        found.push(`${JSON.stringify(part)} at ${at}: …${text.slice(Math.max(0, at - 30), at + 40)}…`);
        break;
      }
    }
  }
  return found;
}
