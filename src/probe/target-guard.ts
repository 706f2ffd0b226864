/**
 * The SSRF guard: decides whether a probe may send a request to a URL. It looks at the URL
 * only (a Worker cannot resolve DNS before fetch), so it refuses every *literal* way of naming
 * an internal address: loopback, private, link-local, metadata, reserved ranges, IPv6 forms
 * that embed an IPv4 address, and the legacy IPv4 spellings (2130706433, 0x7f000001,
 * 0177.0.0.1, 127.1). A public name that resolves to a private address is not caught here.
 *
 * The HTTP client calls checkTarget before every hop, redirects included (resolveRedirect).
 */

export type TargetCheck = { ok: true; url: URL } | { ok: false; reason: string };

/**
 * - loopback / private: refused in production, allowed when allowPrivate (local and test runs).
 * - metadata: always refused; no probe has a reason to read instance credentials.
 */
export type Category = "loopback" | "private" | "metadata";

export interface Refusal {
  category: Category;
  /** The rule, e.g. "loopback address" or "private address (10.0.0.0/8)". */
  rule: string;
}

const ALLOWED_PROTOCOLS = new Set(["http:", "https:"]);

export function checkTarget(url: string, options: { allowPrivate: boolean }): TargetCheck {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    const shown = url.length > 200 ? `${url.slice(0, 200)}…` : url;
    return { ok: false, reason: `refused ${JSON.stringify(shown)}: not a valid absolute URL; targets must start with http:// or https://` };
  }
  if (!ALLOWED_PROTOCOLS.has(parsed.protocol)) {
    const what = parsed.host ? display(parsed) : `a ${parsed.protocol} URL`;
    return { ok: false, reason: `refused ${what}: scheme ${parsed.protocol} is not allowed; only http: and https: targets are allowed` };
  }
  if (parsed.username !== "" || parsed.password !== "") {
    // display() leaves the userinfo out, so the password never reaches a failure message.
    return {
      ok: false,
      reason: `refused ${display(parsed)}: the URL contains credentials (user:password@); send them in a header such as Authorization using {{secret:NAME}} instead`,
    };
  }
  const refusal = classifyHost(parsed.hostname);
  if (refusal && (refusal.category === "metadata" || !options.allowPrivate)) {
    return { ok: false, reason: refusalReason(display(parsed), refusal) };
  }
  return { ok: true, url: parsed };
}

/**
 * The absolute URL a Location header points to, resolved against the URL that answered.
 * Never throws: an unresolvable Location comes back unchanged, and checkTarget then refuses it.
 * A Location without a fragment keeps the original one (RFC 9110 §10.2.2).
 */
export function resolveRedirect(from: URL, location: string): string {
  try {
    const next = new URL(location, from);
    if (!location.includes("#") && from.hash !== "") next.hash = from.hash;
    return next.href;
  } catch {
    return location;
  }
}

/** Scheme, host and path only: no userinfo, and no query or fragment that may carry tokens. */
function display(url: URL): string {
  return `${url.protocol}//${url.host}${url.pathname}`;
}

function refusalReason(shown: string, refusal: Refusal): string {
  switch (refusal.category) {
    case "metadata":
      return `refused ${shown}: ${refusal.rule}; probes may never target instance metadata, not even in local runs`;
    case "loopback":
      return `refused ${shown}: ${refusal.rule}; targets must be public (set AFTERLIFE_ENV=local to allow loopback in local runs)`;
    case "private":
      return `refused ${shown}: ${refusal.rule}; targets must be public (set AFTERLIFE_ENV=local to allow private and reserved addresses in local runs)`;
  }
}

/** Why a host is not a public target, or null when it is. Exported for tests and diagnostics. */
export function classifyHost(hostname: string): Refusal | null {
  const host = hostname.toLowerCase();
  if (host.startsWith("[") && host.endsWith("]")) {
    const groups = parseIPv6(host.slice(1, -1));
    return groups ? classifyIPv6(groups) : { category: "private", rule: "unparseable IPv6 address" };
  }
  const v4 = parseIPv4(host);
  if (v4 !== null) return classifyIPv4(v4);
  return classifyName(host);
}

// ---------------------------------------------------------------------------------------------
// Host names

const METADATA_NAMES = new Set(["metadata.google.internal", "metadata.goog", "metadata", "instance-data", "instance-data.ec2.internal"]);

function classifyName(hostname: string): Refusal | null {
  // "localhost." and "localhost" are the same name to a resolver.
  const name = hostname.replace(/\.+$/, "");
  if (METADATA_NAMES.has(name) || name.endsWith(".metadata.goog")) return { category: "metadata", rule: "cloud metadata endpoint" };
  if (name === "localhost" || name.endsWith(".localhost")) return { category: "loopback", rule: "loopback address" };
  if (name === "localdomain" || name.endsWith(".localdomain")) return { category: "loopback", rule: "loopback address (.localdomain)" };
  if (name.endsWith(".internal")) return { category: "private", rule: "internal host name (.internal is reserved for private networks)" };
  if (name.endsWith(".local")) return { category: "private", rule: "link-local host name (.local is multicast DNS)" };
  if (name === "home.arpa" || name.endsWith(".home.arpa")) return { category: "private", rule: "private host name (.home.arpa)" };
  // A dotless name is completed with the resolver's search domains: an internal host.
  if (!name.includes(".")) return { category: "private", rule: "single-label host name (resolved through local search domains)" };
  return null;
}

// ---------------------------------------------------------------------------------------------
// IPv4

/**
 * The WHATWG IPv4 parser: 1 to 4 dot-separated parts, each decimal, 0x-hex or 0-octal, the last
 * filling the remaining bytes. `new URL()` already rewrites these to dotted decimal; parsing them
 * here as well keeps the guard correct whatever the URL parser did.
 */
export function parseIPv4(host: string): number | null {
  const parts = host.split(".");
  if (parts.length > 1 && parts[parts.length - 1] === "") parts.pop();
  if (parts.length === 0 || parts.length > 4) return null;
  const numbers: number[] = [];
  for (const part of parts) {
    const n = parseIPv4Number(part);
    if (n === null) return null;
    numbers.push(n);
  }
  const last = numbers.pop()!;
  if (numbers.some((n) => n > 255)) return null;
  if (last >= 256 ** (4 - numbers.length)) return null;
  let address = last;
  numbers.forEach((n, i) => (address += n * 256 ** (3 - i)));
  return address;
}

function parseIPv4Number(part: string): number | null {
  if (part === "") return null;
  let digits = part;
  let radix = 10;
  if (/^0x/i.test(part)) {
    digits = part.slice(2);
    radix = 16;
  } else if (part.length > 1 && part.startsWith("0")) {
    digits = part.slice(1);
    radix = 8;
  }
  if (digits === "") return 0; // "0x" is 0 in WHATWG
  const valid = radix === 16 ? /^[0-9a-f]+$/i : radix === 8 ? /^[0-7]+$/ : /^[0-9]+$/;
  if (!valid.test(digits)) return null;
  const n = parseInt(digits, radix);
  return Number.isSafeInteger(n) ? n : null;
}

function formatIPv4(address: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(address / 2 ** shift) % 256).join(".");
}

/** [network, prefix length, category, rule]; the first match wins, so specific ranges go first. */
const IPV4_RULES: ReadonlyArray<readonly [string, number, Category, string]> = [
  ["169.254.169.254", 32, "metadata", "cloud metadata endpoint"],
  ["169.254.170.2", 32, "metadata", "cloud metadata endpoint (ECS task credentials)"],
  ["100.100.100.200", 32, "metadata", "cloud metadata endpoint (Alibaba Cloud)"],
  ["168.63.129.16", 32, "metadata", "cloud metadata endpoint (Azure platform)"],
  ["0.0.0.0", 8, "loopback", "unspecified address (0.0.0.0/8)"],
  ["127.0.0.0", 8, "loopback", "loopback address"],
  ["10.0.0.0", 8, "private", "private address (10.0.0.0/8)"],
  ["172.16.0.0", 12, "private", "private address (172.16.0.0/12)"],
  ["192.168.0.0", 16, "private", "private address (192.168.0.0/16)"],
  ["100.64.0.0", 10, "private", "carrier-grade NAT address (100.64.0.0/10)"],
  ["169.254.0.0", 16, "private", "link-local address (169.254.0.0/16)"],
  ["192.0.0.0", 24, "private", "reserved address (192.0.0.0/24, IETF protocol assignments)"],
  ["192.0.2.0", 24, "private", "reserved address (192.0.2.0/24, documentation)"],
  ["198.51.100.0", 24, "private", "reserved address (198.51.100.0/24, documentation)"],
  ["203.0.113.0", 24, "private", "reserved address (203.0.113.0/24, documentation)"],
  ["198.18.0.0", 15, "private", "reserved address (198.18.0.0/15, benchmarking)"],
  ["192.88.99.0", 24, "private", "reserved address (192.88.99.0/24, 6to4 relay)"],
  ["224.0.0.0", 4, "private", "multicast address (224.0.0.0/4)"],
  ["255.255.255.255", 32, "private", "broadcast address (255.255.255.255)"],
  ["240.0.0.0", 4, "private", "reserved address (240.0.0.0/4)"],
];

const IPV4_TABLE = IPV4_RULES.map(([network, prefix, category, rule]) => ({
  network: parseIPv4(network)!,
  size: 2 ** (32 - prefix),
  refusal: { category, rule },
}));

function classifyIPv4(address: number): Refusal | null {
  for (const { network, size, refusal } of IPV4_TABLE) {
    if (address >= network && address < network + size) return refusal;
  }
  return null;
}

// ---------------------------------------------------------------------------------------------
// IPv6

/** Eight 16-bit groups, accepting "::" and a dotted IPv4 tail; null when malformed. */
export function parseIPv6(text: string): number[] | null {
  if (text.includes("%")) return null; // zone identifiers are not valid in URLs
  let input = text;
  const tail: number[] = [];
  const lastColon = input.lastIndexOf(":");
  if (input.slice(lastColon + 1).includes(".")) {
    const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(input.slice(lastColon + 1));
    if (!v4 || v4.slice(1).some((b) => Number(b) > 255)) return null;
    const [a, b, c, d] = v4.slice(1).map(Number) as [number, number, number, number];
    tail.push(a * 256 + b, c * 256 + d);
    // Drop the tail; keep a "::" right before it, but not a lone separating colon.
    input = input.slice(0, lastColon + 1);
    if (!input.endsWith("::")) input = input.slice(0, -1);
  }
  const halves = input.split("::");
  if (halves.length > 2) return null;
  const parseGroups = (s: string): number[] | null => {
    if (s === "") return [];
    const groups = s.split(":");
    if (groups.some((g) => !/^[0-9a-f]{1,4}$/i.test(g))) return null;
    return groups.map((g) => parseInt(g, 16));
  };
  const head = parseGroups(halves[0] ?? "");
  if (head === null) return null;
  if (halves.length === 1) {
    const groups = [...head, ...tail];
    return groups.length === 8 ? groups : null;
  }
  const rest = parseGroups(halves[1] ?? "");
  if (rest === null) return null;
  const known = head.length + rest.length + tail.length;
  if (known > 7) return null;
  return [...head, ...new Array<number>(8 - known).fill(0), ...rest, ...tail];
}

function embeddedIPv4(high: number, low: number): number {
  return high * 65536 + low;
}

function classifyIPv6(g: number[]): Refusal | null {
  const [g0 = 0, g1 = 0, g2 = 0, g3 = 0, g4 = 0, g5 = 0, g6 = 0, g7 = 0] = g;
  const zeroUpTo = (n: number) => g.slice(0, n).every((x) => x === 0);

  if (zeroUpTo(8)) return { category: "loopback", rule: "unspecified address (::)" };
  if (zeroUpTo(7) && g7 === 1) return { category: "loopback", rule: "loopback address" };

  // ::ffff:a.b.c.d (mapped), ::ffff:0:a.b.c.d (translated) and ::a.b.c.d (compatible) reach the
  // IPv4 address itself. They are never needed for a public target, so they are refused even
  // when the embedded address is public.
  const mapped = zeroUpTo(5) && g5 === 0xffff;
  const translated = zeroUpTo(4) && g4 === 0xffff && g5 === 0;
  const compatible = zeroUpTo(6);
  if (mapped || translated || compatible) {
    const kind = mapped ? "IPv4-mapped" : translated ? "IPv4-translated" : "IPv4-compatible";
    return embedding(`${kind} IPv6 address`, embeddedIPv4(g6, g7), true);
  }
  // NAT64 (64:ff9b::/96) and 6to4 (2002::/16) are legitimate for public addresses only.
  if (g0 === 0x64 && g1 === 0xff9b && g2 === 0 && g3 === 0 && g4 === 0 && g5 === 0) {
    return embedding("NAT64 IPv6 address", embeddedIPv4(g6, g7), false);
  }
  if (g0 === 0x64 && g1 === 0xff9b && g2 === 1) return { category: "private", rule: "local-use NAT64 address (64:ff9b:1::/48)" };
  if (g0 === 0x2002) return embedding("6to4 IPv6 address", embeddedIPv4(g1, g2), false);

  if (g0 === 0xfd00 && g1 === 0x0ec2 && g2 === 0 && g3 === 0 && g4 === 0 && g5 === 0 && g6 === 0 && g7 === 0x254) {
    return { category: "metadata", rule: "cloud metadata endpoint" };
  }
  if ((g0 & 0xffc0) === 0xfe80) return { category: "private", rule: "link-local address (fe80::/10)" };
  if ((g0 & 0xffc0) === 0xfec0) return { category: "private", rule: "site-local address (fec0::/10)" };
  if ((g0 & 0xfe00) === 0xfc00) return { category: "private", rule: "unique-local address (fc00::/7)" };
  if ((g0 & 0xff00) === 0xff00) return { category: "private", rule: "multicast address (ff00::/8)" };
  if (g0 === 0x2001 && g1 === 0x0db8) return { category: "private", rule: "reserved address (2001:db8::/32, documentation)" };
  if (g0 === 0x2001 && g1 === 0) return { category: "private", rule: "reserved address (2001::/32, Teredo)" };
  if (g0 === 0x0100 && g1 === 0 && g2 === 0 && g3 === 0) return { category: "private", rule: "reserved address (100::/64, discard)" };
  return null;
}

function embedding(kind: string, v4: number, refuseAlways: boolean): Refusal | null {
  const inner = classifyIPv4(v4);
  const address = formatIPv4(v4);
  if (inner) return { category: inner.category, rule: `${kind} embedding ${address} (${inner.rule})` };
  if (refuseAlways) return { category: "private", rule: `${kind} embedding ${address}; use the IPv4 address itself` };
  return null;
}
