import { describe, expect, it } from "vitest";
import { checkTarget, classifyHost, parseIPv4, parseIPv6, resolveRedirect } from "../../../src/probe/target-guard.ts";

const PROD = { allowPrivate: false };
const LOCAL = { allowPrivate: true };

const loopback = (shown: string, rule = "loopback address") =>
  `refused ${shown}: ${rule}; targets must be public (set AFTERLIFE_ENV=local to allow loopback in local runs)`;
const internal = (shown: string, rule: string) =>
  `refused ${shown}: ${rule}; targets must be public (set AFTERLIFE_ENV=local to allow private and reserved addresses in local runs)`;
const metadata = (shown: string, rule = "cloud metadata endpoint") =>
  `refused ${shown}: ${rule}; probes may never target instance metadata, not even in local runs`;

function reasonOf(url: string, options: { allowPrivate: boolean }): string | null {
  const result = checkTarget(url, options);
  return result.ok ? null : result.reason;
}

describe("checkTarget: always", () => {
  it.each<[string, string]>([
    ["not a url", 'refused "not a url": not a valid absolute URL; targets must start with http:// or https://'],
    ["", 'refused "": not a valid absolute URL; targets must start with http:// or https://'],
    [
      "/relative/path",
      'refused "/relative/path": not a valid absolute URL; targets must start with http:// or https://',
    ],
    [
      "http://[fe80::1%25eth0]/",
      'refused "http://[fe80::1%25eth0]/": not a valid absolute URL; targets must start with http:// or https://',
    ],
    [
      "http://1.2.3.4.5.6/x",
      'refused "http://1.2.3.4.5.6/x": not a valid absolute URL; targets must start with http:// or https://',
    ],
    [
      "ftp://example.com/file",
      "refused ftp://example.com/file: scheme ftp: is not allowed; only http: and https: targets are allowed",
    ],
    [
      "file:///etc/passwd",
      "refused a file: URL: scheme file: is not allowed; only http: and https: targets are allowed",
    ],
    [
      "javascript:alert(1)",
      "refused a javascript: URL: scheme javascript: is not allowed; only http: and https: targets are allowed",
    ],
    [
      "data:text/plain,hi",
      "refused a data: URL: scheme data: is not allowed; only http: and https: targets are allowed",
    ],
    [
      "ws://example.com/socket",
      "refused ws://example.com/socket: scheme ws: is not allowed; only http: and https: targets are allowed",
    ],
    [
      "https://alice:hunter2@example.com/login?x=1",
      "refused https://example.com/login: the URL contains credentials (user:password@); send them in a header such as Authorization using {{secret:NAME}} instead",
    ],
    [
      "https://alice@example.com/",
      "refused https://example.com/: the URL contains credentials (user:password@); send them in a header such as Authorization using {{secret:NAME}} instead",
    ],
    [
      "http://:pw@127.0.0.1/",
      "refused http://127.0.0.1/: the URL contains credentials (user:password@); send them in a header such as Authorization using {{secret:NAME}} instead",
    ],
  ])("refuses %s in both modes", (url, reason) => {
    expect(reasonOf(url, PROD)).toBe(reason);
    expect(reasonOf(url, LOCAL)).toBe(reason);
  });

  it("never repeats the password, the query or the fragment in a reason", () => {
    const reason = reasonOf("https://bob:s3cr3t-pw@example.com/a?token=tok-123#frag", PROD)!;
    expect(reason).toBe(
      "refused https://example.com/a: the URL contains credentials (user:password@); send them in a header such as Authorization using {{secret:NAME}} instead",
    );
    const loop = reasonOf("http://127.0.0.1/x?token=tok-123#frag", PROD)!;
    expect(loop).toBe(loopback("http://127.0.0.1/x"));
  });

  it("returns the parsed URL when allowed", () => {
    const result = checkTarget("HTTPS://Example.COM:8443/a/../b?q=1", PROD);
    expect(result.ok).toBe(true);
    if (result.ok) {
      expect(result.url).toBeInstanceOf(URL);
      expect(result.url.href).toBe("https://example.com:8443/b?q=1");
    }
  });
});

describe("checkTarget: public targets", () => {
  it.each([
    "https://example.com/",
    "http://example.com:8080/path?q=1#f",
    "https://shop.example.co.uk/checkout",
    "http://8.8.8.8/",
    "http://1.1.1.1/dns-query",
    "http://172.15.255.255/", // just below 172.16/12
    "http://172.32.0.0/", // just above 172.16/12
    "http://100.63.255.255/", // just below 100.64/10
    "http://100.128.0.0/", // just above 100.64/10
    "http://169.253.255.255/",
    "http://169.255.0.0/",
    "http://11.0.0.1/",
    "http://126.255.255.255/",
    "http://128.0.0.1/",
    "http://192.167.255.255/",
    "http://192.169.0.0/",
    "http://223.255.255.255/",
    "http://[2606:4700:4700::1111]/",
    "http://[2001:4860:4860::8888]/",
    "http://[64:ff9b::808:808]/", // NAT64 of 8.8.8.8
    "http://[2002:808:808::1]/", // 6to4 of 8.8.8.8
    "http://localhost.example.com/", // "localhost" only as a label elsewhere
    "http://internal.example.com/",
    "http://my-localhost.com/",
  ])("allows %s in production", (url) => {
    expect(reasonOf(url, PROD)).toBeNull();
    expect(reasonOf(url, LOCAL)).toBeNull();
  });
});

describe("checkTarget: refused in production, allowed locally", () => {
  it.each<[string, string]>([
    // loopback, whatever the spelling; new URL() rewrites most of them to 127.0.0.1
    ["http://127.0.0.1/", loopback("http://127.0.0.1/")],
    ["http://127.0.0.1:8787/health", loopback("http://127.0.0.1:8787/health")],
    ["http://127.255.255.254/", loopback("http://127.255.255.254/")],
    ["http://2130706433/", loopback("http://127.0.0.1/")],
    ["http://0x7f000001/", loopback("http://127.0.0.1/")],
    ["http://0x7F000001/", loopback("http://127.0.0.1/")],
    ["http://017700000001/", loopback("http://127.0.0.1/")],
    ["http://0177.0.0.1/", loopback("http://127.0.0.1/")],
    ["http://0x7f.0.0.1/", loopback("http://127.0.0.1/")],
    ["http://0x7f.1/", loopback("http://127.0.0.1/")],
    ["http://127.1/", loopback("http://127.0.0.1/")],
    ["http://127.0.1/", loopback("http://127.0.0.1/")],
    ["http://127.0.0.1./", loopback("http://127.0.0.1/")],
    ["http://%31%32%37.0.0.1/", loopback("http://127.0.0.1/")],
    ["http://\uff11\uff12\uff17.0.0.1/", loopback("http://127.0.0.1/")], // full-width digits
    ["http://localhost/", loopback("http://localhost/")],
    ["http://LOCALHOST:3000/", loopback("http://localhost:3000/")],
    ["http://localhost./", loopback("http://localhost./")],
    ["http://shop.localhost/", loopback("http://shop.localhost/")],
    ["http://localhost.localdomain/", loopback("http://localhost.localdomain/", "loopback address (.localdomain)")],
    ["http://[::1]/", loopback("http://[::1]/")],
    ["http://[0:0:0:0:0:0:0:1]/", loopback("http://[::1]/")],
    // unspecified
    ["http://0.0.0.0/", loopback("http://0.0.0.0/", "unspecified address (0.0.0.0/8)")],
    ["http://0/", loopback("http://0.0.0.0/", "unspecified address (0.0.0.0/8)")],
    ["http://0.1.2.3/", loopback("http://0.1.2.3/", "unspecified address (0.0.0.0/8)")],
    ["http://[::]/", loopback("http://[::]/", "unspecified address (::)")],
    // private
    ["http://10.0.0.1/", internal("http://10.0.0.1/", "private address (10.0.0.0/8)")],
    ["http://10.255.255.255/", internal("http://10.255.255.255/", "private address (10.0.0.0/8)")],
    ["http://167772161/", internal("http://10.0.0.1/", "private address (10.0.0.0/8)")],
    ["http://172.16.0.1/", internal("http://172.16.0.1/", "private address (172.16.0.0/12)")],
    ["http://172.31.255.255/", internal("http://172.31.255.255/", "private address (172.16.0.0/12)")],
    ["http://192.168.1.1/", internal("http://192.168.1.1/", "private address (192.168.0.0/16)")],
    ["http://0xc0a80101/", internal("http://192.168.1.1/", "private address (192.168.0.0/16)")],
    ["http://100.64.0.1/", internal("http://100.64.0.1/", "carrier-grade NAT address (100.64.0.0/10)")],
    ["http://100.127.255.255/", internal("http://100.127.255.255/", "carrier-grade NAT address (100.64.0.0/10)")],
    // link-local
    ["http://169.254.0.1/", internal("http://169.254.0.1/", "link-local address (169.254.0.0/16)")],
    ["http://[fe80::1]/", internal("http://[fe80::1]/", "link-local address (fe80::/10)")],
    ["http://[febf::1]/", internal("http://[febf::1]/", "link-local address (fe80::/10)")],
    ["http://[fec0::1]/", internal("http://[fec0::1]/", "site-local address (fec0::/10)")],
    // unique local
    ["http://[fc00::1]/", internal("http://[fc00::1]/", "unique-local address (fc00::/7)")],
    ["http://[fd12:3456::1]/", internal("http://[fd12:3456::1]/", "unique-local address (fc00::/7)")],
    // multicast, broadcast, reserved
    ["http://224.0.0.1/", internal("http://224.0.0.1/", "multicast address (224.0.0.0/4)")],
    ["http://239.255.255.250/", internal("http://239.255.255.250/", "multicast address (224.0.0.0/4)")],
    ["http://[ff02::1]/", internal("http://[ff02::1]/", "multicast address (ff00::/8)")],
    ["http://240.0.0.1/", internal("http://240.0.0.1/", "reserved address (240.0.0.0/4)")],
    ["http://255.255.255.254/", internal("http://255.255.255.254/", "reserved address (240.0.0.0/4)")],
    ["http://255.255.255.255/", internal("http://255.255.255.255/", "broadcast address (255.255.255.255)")],
    ["http://4294967295/", internal("http://255.255.255.255/", "broadcast address (255.255.255.255)")],
    ["http://192.0.2.10/", internal("http://192.0.2.10/", "reserved address (192.0.2.0/24, documentation)")],
    ["http://198.18.0.1/", internal("http://198.18.0.1/", "reserved address (198.18.0.0/15, benchmarking)")],
    ["http://[2001:db8::1]/", internal("http://[2001:db8::1]/", "reserved address (2001:db8::/32, documentation)")],
    // IPv6 forms that embed an IPv4 address
    [
      "http://[::ffff:127.0.0.1]/",
      loopback("http://[::ffff:7f00:1]/", "IPv4-mapped IPv6 address embedding 127.0.0.1 (loopback address)"),
    ],
    [
      "http://[::ffff:7f00:1]/",
      loopback("http://[::ffff:7f00:1]/", "IPv4-mapped IPv6 address embedding 127.0.0.1 (loopback address)"),
    ],
    [
      "http://[0:0:0:0:0:ffff:7f00:1]/",
      loopback("http://[::ffff:7f00:1]/", "IPv4-mapped IPv6 address embedding 127.0.0.1 (loopback address)"),
    ],
    [
      "http://[::ffff:10.0.0.1]/",
      internal("http://[::ffff:a00:1]/", "IPv4-mapped IPv6 address embedding 10.0.0.1 (private address (10.0.0.0/8))"),
    ],
    [
      "http://[::ffff:8.8.8.8]/",
      internal("http://[::ffff:808:808]/", "IPv4-mapped IPv6 address embedding 8.8.8.8; use the IPv4 address itself"),
    ],
    [
      "http://[::ffff:0:7f00:1]/",
      loopback("http://[::ffff:0:7f00:1]/", "IPv4-translated IPv6 address embedding 127.0.0.1 (loopback address)"),
    ],
    [
      "http://[::127.0.0.1]/",
      loopback("http://[::7f00:1]/", "IPv4-compatible IPv6 address embedding 127.0.0.1 (loopback address)"),
    ],
    [
      "http://[::7f00:1]/",
      loopback("http://[::7f00:1]/", "IPv4-compatible IPv6 address embedding 127.0.0.1 (loopback address)"),
    ],
    [
      "http://[64:ff9b::127.0.0.1]/",
      loopback("http://[64:ff9b::7f00:1]/", "NAT64 IPv6 address embedding 127.0.0.1 (loopback address)"),
    ],
    [
      "http://[64:ff9b::a00:1]/",
      internal("http://[64:ff9b::a00:1]/", "NAT64 IPv6 address embedding 10.0.0.1 (private address (10.0.0.0/8))"),
    ],
    [
      "http://[64:ff9b::c0a8:101]/",
      internal(
        "http://[64:ff9b::c0a8:101]/",
        "NAT64 IPv6 address embedding 192.168.1.1 (private address (192.168.0.0/16))",
      ),
    ],
    ["http://[64:ff9b:1::a00:1]/", internal("http://[64:ff9b:1::a00:1]/", "local-use NAT64 address (64:ff9b:1::/48)")],
    [
      "http://[2002:7f00:1::]/",
      loopback("http://[2002:7f00:1::]/", "6to4 IPv6 address embedding 127.0.0.1 (loopback address)"),
    ],
    ["http://[2001::1]/", internal("http://[2001::1]/", "reserved address (2001::/32, Teredo)")],
    // names that only resolve on a private network
    [
      "http://intranet/",
      internal("http://intranet/", "single-label host name (resolved through local search domains)"),
    ],
    [
      "http://host.docker.internal/",
      internal("http://host.docker.internal/", "internal host name (.internal is reserved for private networks)"),
    ],
    [
      "http://db.corp.internal./",
      internal("http://db.corp.internal./", "internal host name (.internal is reserved for private networks)"),
    ],
    ["http://printer.local/", internal("http://printer.local/", "link-local host name (.local is multicast DNS)")],
    ["http://nas.home.arpa/", internal("http://nas.home.arpa/", "private host name (.home.arpa)")],
  ])("%s", (url, reason) => {
    expect(reasonOf(url, PROD)).toBe(reason);
    expect(reasonOf(url, LOCAL)).toBeNull();
  });

  it("matches the documented loopback message exactly", () => {
    expect(reasonOf("http://127.0.0.1/", PROD)).toBe(
      "refused http://127.0.0.1/: loopback address; targets must be public (set AFTERLIFE_ENV=local to allow loopback in local runs)",
    );
  });
});

describe("checkTarget: cloud metadata, refused in every mode", () => {
  it.each<[string, string]>([
    ["http://169.254.169.254/latest/meta-data/", metadata("http://169.254.169.254/latest/meta-data/")],
    ["http://2852039166/", metadata("http://169.254.169.254/")],
    ["http://0xa9fea9fe/", metadata("http://169.254.169.254/")],
    ["http://0251.0376.0251.0376/", metadata("http://169.254.169.254/")],
    ["http://169.254.43518/", metadata("http://169.254.169.254/")],
    [
      "http://169.254.170.2/v2/credentials",
      metadata("http://169.254.170.2/v2/credentials", "cloud metadata endpoint (ECS task credentials)"),
    ],
    [
      "http://100.100.100.200/latest/meta-data",
      metadata("http://100.100.100.200/latest/meta-data", "cloud metadata endpoint (Alibaba Cloud)"),
    ],
    ["http://168.63.129.16/", metadata("http://168.63.129.16/", "cloud metadata endpoint (Azure platform)")],
    ["http://[fd00:ec2::254]/latest/meta-data/", metadata("http://[fd00:ec2::254]/latest/meta-data/")],
    [
      "http://[::ffff:169.254.169.254]/",
      metadata(
        "http://[::ffff:a9fe:a9fe]/",
        "IPv4-mapped IPv6 address embedding 169.254.169.254 (cloud metadata endpoint)",
      ),
    ],
    [
      "http://[64:ff9b::a9fe:a9fe]/",
      metadata(
        "http://[64:ff9b::a9fe:a9fe]/",
        "NAT64 IPv6 address embedding 169.254.169.254 (cloud metadata endpoint)",
      ),
    ],
    [
      "http://metadata.google.internal/computeMetadata/v1/",
      metadata("http://metadata.google.internal/computeMetadata/v1/"),
    ],
    ["http://METADATA.google.internal./", metadata("http://metadata.google.internal./")],
    ["http://metadata.goog/", metadata("http://metadata.goog/")],
    ["http://x.metadata.goog/", metadata("http://x.metadata.goog/")],
    ["http://metadata/", metadata("http://metadata/")],
    ["http://instance-data/latest/", metadata("http://instance-data/latest/")],
  ])("%s", (url, reason) => {
    expect(reasonOf(url, PROD)).toBe(reason);
    expect(reasonOf(url, LOCAL)).toBe(reason);
  });
});

describe("host parsing without URL normalisation", () => {
  // The guard must not depend on new URL() having rewritten the host: these are the raw forms.
  it.each<[string, string | null]>([
    ["2130706433", "loopback address"],
    ["0x7f000001", "loopback address"],
    ["0177.0.0.1", "loopback address"],
    ["0177.0.0.01", "loopback address"],
    ["127.1", "loopback address"],
    ["127.0.1", "loopback address"],
    ["0x7f.0x0.0x0.0x1", "loopback address"],
    ["127.0.0.1.", "loopback address"],
    ["0", "unspecified address (0.0.0.0/8)"],
    ["0x", "unspecified address (0.0.0.0/8)"],
    ["012.0.0.1", "private address (10.0.0.0/8)"],
    ["[::ffff:127.0.0.1]", "IPv4-mapped IPv6 address embedding 127.0.0.1 (loopback address)"],
    ["[0:0:0:0:0:ffff:127.0.0.1]", "IPv4-mapped IPv6 address embedding 127.0.0.1 (loopback address)"],
    ["[::FFFF:7F00:1]", "IPv4-mapped IPv6 address embedding 127.0.0.1 (loopback address)"],
    ["[64:ff9b::10.1.2.3]", "NAT64 IPv6 address embedding 10.1.2.3 (private address (10.0.0.0/8))"],
    ["[0000:0000:0000:0000:0000:0000:0000:0001]", "loopback address"],
    ["[fe80::1%eth0]", "unparseable IPv6 address"],
    ["[1:2:3]", "unparseable IPv6 address"],
    ["[1::2::3]", "unparseable IPv6 address"],
    ["[::ffff:300.0.0.1]", "unparseable IPv6 address"],
    ["8.8.8.8", null],
    ["134744072", null],
    ["example.com", null],
  ])("%s", (host, rule) => {
    expect(classifyHost(host)?.rule ?? null).toBe(rule);
  });

  it("parses IPv4 numbers the way WHATWG does", () => {
    expect(parseIPv4("2130706433")).toBe(0x7f000001);
    expect(parseIPv4("0x7f000001")).toBe(0x7f000001);
    expect(parseIPv4("0177.0.0.1")).toBe(0x7f000001);
    expect(parseIPv4("127.1")).toBe(0x7f000001);
    expect(parseIPv4("1.2.3")).toBe(0x01020003);
    expect(parseIPv4("255.255.255.255")).toBe(0xffffffff);
    expect(parseIPv4("4294967296")).toBeNull();
    expect(parseIPv4("256.0.0.1")).toBeNull();
    expect(parseIPv4("1.2.65536")).toBeNull();
    expect(parseIPv4("1.2.3.4.5")).toBeNull();
    expect(parseIPv4("08.0.0.1")).toBeNull(); // 8 is not an octal digit
    expect(parseIPv4("example.com")).toBeNull();
    expect(parseIPv4("1..2")).toBeNull();
  });

  it("parses IPv6 text into eight groups", () => {
    expect(parseIPv6("::1")).toEqual([0, 0, 0, 0, 0, 0, 0, 1]);
    expect(parseIPv6("::")).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
    expect(parseIPv6("1::")).toEqual([1, 0, 0, 0, 0, 0, 0, 0]);
    expect(parseIPv6("::ffff:1.2.3.4")).toEqual([0, 0, 0, 0, 0, 0xffff, 0x0102, 0x0304]);
    expect(parseIPv6("1:2:3:4:5:6:7.8.9.10")).toEqual([1, 2, 3, 4, 5, 6, 0x0708, 0x090a]);
    expect(parseIPv6("2001:db8:0:0:1:0:0:1")).toEqual([0x2001, 0xdb8, 0, 0, 1, 0, 0, 1]);
    expect(parseIPv6("1:2:3:4:5:6:7:8:9")).toBeNull();
    expect(parseIPv6("1:2:3:4:5:6:7::8")).toBeNull();
    expect(parseIPv6("12345::")).toBeNull();
    expect(parseIPv6("g::1")).toBeNull();
  });
});

describe("resolveRedirect", () => {
  const from = new URL("https://shop.example.com/a/b/checkout?step=1");
  it.each<[string, string]>([
    ["/login", "https://shop.example.com/login"],
    ["login", "https://shop.example.com/a/b/login"],
    ["../up", "https://shop.example.com/a/up"],
    ["?step=2", "https://shop.example.com/a/b/checkout?step=2"],
    ["//cdn.example.net/x", "https://cdn.example.net/x"],
    ["http://other.example.org/p", "http://other.example.org/p"],
    ["https://shop.example.com", "https://shop.example.com/"],
    ["  /trimmed  ", "https://shop.example.com/trimmed"],
    ["/\\127.0.0.1/", "https://127.0.0.1/"], // a backslash is a slash in http(s) URLs
    ["http://2130706433/", "http://127.0.0.1/"],
    ["ftp://files.example.com/", "ftp://files.example.com/"],
    ["/next#section", "https://shop.example.com/next#section"],
  ])("%s", (location, expected) => {
    expect(resolveRedirect(from, location)).toBe(expected);
  });

  it("keeps the original fragment when Location has none", () => {
    expect(resolveRedirect(new URL("https://a.example/x#frag"), "/y")).toBe("https://a.example/y#frag");
    expect(resolveRedirect(new URL("https://a.example/x#frag"), "/y#other")).toBe("https://a.example/y#other");
  });

  it("returns an unresolvable Location unchanged, and checkTarget refuses it", () => {
    const next = resolveRedirect(from, "http://[::1");
    expect(next).toBe("http://[::1");
    expect(checkTarget(next, LOCAL)).toEqual({
      ok: false,
      reason: 'refused "http://[::1": not a valid absolute URL; targets must start with http:// or https://',
    });
  });

  it("lets the client re-check each hop", () => {
    const hop = resolveRedirect(new URL("https://public.example.com/"), "http://169.254.169.254/latest/meta-data/");
    expect(reasonOf(hop, PROD)).toBe(metadata("http://169.254.169.254/latest/meta-data/"));
    const relative = resolveRedirect(new URL("http://127.0.0.1:8787/login"), "/account");
    expect(reasonOf(relative, PROD)).toBe(loopback("http://127.0.0.1:8787/account"));
    expect(reasonOf(relative, LOCAL)).toBeNull();
    const scheme = resolveRedirect(new URL("https://public.example.com/"), "file:///etc/passwd");
    expect(reasonOf(scheme, LOCAL)).toBe(
      "refused a file: URL: scheme file: is not allowed; only http: and https: targets are allowed",
    );
  });
});
