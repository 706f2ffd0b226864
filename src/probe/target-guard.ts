/**
 * The SSRF guard: decides whether a probe may send a request to a URL. It looks at the URL
 * only (a Worker cannot resolve DNS before fetch), so it refuses every *literal* way of naming
 * an internal address: loopback, private, link-local, metadata, reserved ranges, IPv6 forms
 * that embed an IPv4 address, and the legacy IPv4 spellings (2130706433, 0x7f000001,
 * 0177.0.0.1, 127.1). A public name that resolves to a private address is not caught here.
 *
 * The HTTP client calls checkTarget before every hop, redirects included (resolveRedirect).
 *
 * Addresses are read by the platform's own WHATWG URL parser (the one fetch uses, so the guard
 * sees the address fetch will connect to) and ipaddr.js; this file holds only the policy: which
 * ranges are refused, in which category, with which words.
 */
import ipaddr from "ipaddr.js";

type TargetCheck = { ok: true; url: URL } | { ok: false; reason: string };

/**
 * - loopback / private: refused in production, allowed when allowPrivate (local and test runs).
 * - metadata: always refused; no probe has a reason to read instance credentials.
 */
type Category = "loopback" | "private" | "metadata";

interface Refusal {
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
    return {
      ok: false,
      reason: `refused ${JSON.stringify(shown)}: not a valid absolute URL; targets must start with http:// or https://`,
    };
  }
  if (!ALLOWED_PROTOCOLS.has(parsed.protocol)) {
    const what = parsed.host ? display(parsed) : `a ${parsed.protocol} URL`;
    return {
      ok: false,
      reason: `refused ${what}: scheme ${parsed.protocol} is not allowed; only http: and https: targets are allowed`,
    };
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
    const v6 = parseIPv6Address(host.slice(1, -1));
    return v6 ? classifyIPv6(v6) : { category: "private", rule: "unparseable IPv6 address" };
  }
  const v4 = parseIPv4Address(host);
  if (v4) return classifyIPv4(v4);
  return classifyName(host);
}

// ---------------------------------------------------------------------------------------------
// Host names

const METADATA_NAMES = new Set([
  "metadata.google.internal",
  "metadata.goog",
  "metadata",
  "instance-data",
  "instance-data.ec2.internal",
]);

function classifyName(hostname: string): Refusal | null {
  // "localhost." and "localhost" are the same name to a resolver.
  const name = hostname.replace(/\.+$/, "");
  if (METADATA_NAMES.has(name) || name.endsWith(".metadata.goog"))
    return { category: "metadata", rule: "cloud metadata endpoint" };
  if (name === "localhost" || name.endsWith(".localhost")) return { category: "loopback", rule: "loopback address" };
  if (name === "localdomain" || name.endsWith(".localdomain"))
    return { category: "loopback", rule: "loopback address (.localdomain)" };
  if (name.endsWith(".internal"))
    return { category: "private", rule: "internal host name (.internal is reserved for private networks)" };
  if (name.endsWith(".local")) return { category: "private", rule: "link-local host name (.local is multicast DNS)" };
  if (name === "home.arpa" || name.endsWith(".home.arpa"))
    return { category: "private", rule: "private host name (.home.arpa)" };
  // A dotless name is completed with the resolver's search domains: an internal host.
  if (!name.includes("."))
    return { category: "private", rule: "single-label host name (resolved through local search domains)" };
  return null;
}

// ---------------------------------------------------------------------------------------------
// IPv4

/**
 * The IPv4 address a host names, as the WHATWG URL parser reads it (1 to 4 parts, decimal,
 * 0x-hex or 0-octal, the last filling the remaining bytes: 2130706433, 0x7f000001, 0177.0.0.1
 * and 127.1 are all 127.0.0.1), or null when the host is not an IPv4 address.
 */
function parseIPv4Address(host: string): ipaddr.IPv4 | null {
  let canonical: string;
  try {
    canonical = new URL(`http://${host}/`).hostname;
  } catch {
    return null; // not a host at all, or an IPv4 address out of range ("256.0.0.1", "08.0.0.1")
  }
  return ipaddr.IPv4.isValidFourPartDecimal(canonical) ? ipaddr.IPv4.parse(canonical) : null;
}

/** The address as a 32-bit number (for tests and diagnostics), or null. */
export function parseIPv4(host: string): number | null {
  const address = parseIPv4Address(host);
  return address ? address.toByteArray().reduce((n, byte) => n * 256 + byte, 0) : null;
}

/** [range, category, rule]; the first match wins, so specific ranges go first. */
const IPV4_RULES: ReadonlyArray<readonly [string, Category, string]> = [
  ["169.254.169.254/32", "metadata", "cloud metadata endpoint"],
  ["169.254.170.2/32", "metadata", "cloud metadata endpoint (ECS task credentials)"],
  ["100.100.100.200/32", "metadata", "cloud metadata endpoint (Alibaba Cloud)"],
  ["168.63.129.16/32", "metadata", "cloud metadata endpoint (Azure platform)"],
  ["0.0.0.0/8", "loopback", "unspecified address (0.0.0.0/8)"],
  ["127.0.0.0/8", "loopback", "loopback address"],
  ["10.0.0.0/8", "private", "private address (10.0.0.0/8)"],
  ["172.16.0.0/12", "private", "private address (172.16.0.0/12)"],
  ["192.168.0.0/16", "private", "private address (192.168.0.0/16)"],
  ["100.64.0.0/10", "private", "carrier-grade NAT address (100.64.0.0/10)"],
  ["169.254.0.0/16", "private", "link-local address (169.254.0.0/16)"],
  ["192.0.0.0/24", "private", "reserved address (192.0.0.0/24, IETF protocol assignments)"],
  ["192.0.2.0/24", "private", "reserved address (192.0.2.0/24, documentation)"],
  ["198.51.100.0/24", "private", "reserved address (198.51.100.0/24, documentation)"],
  ["203.0.113.0/24", "private", "reserved address (203.0.113.0/24, documentation)"],
  ["198.18.0.0/15", "private", "reserved address (198.18.0.0/15, benchmarking)"],
  ["192.88.99.0/24", "private", "reserved address (192.88.99.0/24, 6to4 relay)"],
  ["224.0.0.0/4", "private", "multicast address (224.0.0.0/4)"],
  ["255.255.255.255/32", "private", "broadcast address (255.255.255.255)"],
  ["240.0.0.0/4", "private", "reserved address (240.0.0.0/4)"],
];

const IPV4_TABLE = IPV4_RULES.map(([cidr, category, rule]) => ({
  range: ipaddr.IPv4.parseCIDR(cidr),
  refusal: { category, rule },
}));

function classifyIPv4(address: ipaddr.IPv4): Refusal | null {
  return IPV4_TABLE.find(({ range }) => address.match(range))?.refusal ?? null;
}

// ---------------------------------------------------------------------------------------------
// IPv6

function parseIPv6Address(text: string): ipaddr.IPv6 | null {
  if (text.includes("%")) return null; // zone identifiers are not valid in URLs
  try {
    return ipaddr.IPv6.parse(text);
  } catch {
    return null;
  }
}

/** Eight 16-bit groups, accepting "::" and a dotted IPv4 tail; null when malformed (for tests). */
export function parseIPv6(text: string): number[] | null {
  return parseIPv6Address(text)?.parts.slice() ?? null;
}

const v6 = (cidr: string) => ipaddr.IPv6.parseCIDR(cidr);

/**
 * IPv6 forms that embed an IPv4 address, and where it sits. ::ffff:a.b.c.d (mapped),
 * ::ffff:0:a.b.c.d (translated) and ::a.b.c.d (compatible) reach the IPv4 address itself; they
 * are never needed for a public target, so they are refused even when it is public. NAT64 and
 * 6to4 are legitimate for public addresses only.
 */
const IPV6_EMBEDDINGS: ReadonlyArray<{
  range: [ipaddr.IPv6, number];
  kind: string;
  at: number;
  refuseAlways: boolean;
}> = [
  { range: v6("::ffff:0:0/96"), kind: "IPv4-mapped IPv6 address", at: 12, refuseAlways: true },
  { range: v6("::ffff:0:0:0/96"), kind: "IPv4-translated IPv6 address", at: 12, refuseAlways: true },
  { range: v6("::/96"), kind: "IPv4-compatible IPv6 address", at: 12, refuseAlways: true },
  { range: v6("64:ff9b::/96"), kind: "NAT64 IPv6 address", at: 12, refuseAlways: false },
  { range: v6("2002::/16"), kind: "6to4 IPv6 address", at: 2, refuseAlways: false },
];

/** [range, category, rule] after the embeddings; the first match wins. */
const IPV6_RULES: ReadonlyArray<readonly [string, Category, string]> = [
  ["64:ff9b:1::/48", "private", "local-use NAT64 address (64:ff9b:1::/48)"],
  ["fd00:ec2::254/128", "metadata", "cloud metadata endpoint"],
  ["fe80::/10", "private", "link-local address (fe80::/10)"],
  ["fec0::/10", "private", "site-local address (fec0::/10)"],
  ["fc00::/7", "private", "unique-local address (fc00::/7)"],
  ["ff00::/8", "private", "multicast address (ff00::/8)"],
  ["2001:db8::/32", "private", "reserved address (2001:db8::/32, documentation)"],
  ["2001::/32", "private", "reserved address (2001::/32, Teredo)"],
  ["100::/64", "private", "reserved address (100::/64, discard)"],
];

const IPV6_TABLE = IPV6_RULES.map(([cidr, category, rule]) => ({ range: v6(cidr), refusal: { category, rule } }));

function classifyIPv6(address: ipaddr.IPv6): Refusal | null {
  if (address.match(v6("::/128"))) return { category: "loopback", rule: "unspecified address (::)" };
  if (address.match(v6("::1/128"))) return { category: "loopback", rule: "loopback address" };
  const embedding = IPV6_EMBEDDINGS.find(({ range }) => address.match(range));
  if (embedding) {
    const bytes = address.toByteArray().slice(embedding.at, embedding.at + 4);
    return embedded(embedding.kind, new ipaddr.IPv4(bytes), embedding.refuseAlways);
  }
  return IPV6_TABLE.find(({ range }) => address.match(range))?.refusal ?? null;
}

function embedded(kind: string, v4: ipaddr.IPv4, refuseAlways: boolean): Refusal | null {
  const inner = classifyIPv4(v4);
  const address = v4.toString();
  if (inner) return { category: inner.category, rule: `${kind} embedding ${address} (${inner.rule})` };
  if (refuseAlways) return { category: "private", rule: `${kind} embedding ${address}; use the IPv4 address itself` };
  return null;
}
