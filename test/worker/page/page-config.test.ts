/** The STATUS_PAGE var: defaults, every field, and errors that name the bad field. */
import { describe, expect, it } from "vitest";
import { PAGE_CONFIG_VAR, PageConfigError, pageConfigOf, parsePageConfig } from "../../../src/page/page-config.ts";

const parse = (json: unknown) =>
  parsePageConfig({ [PAGE_CONFIG_VAR]: typeof json === "string" ? json : JSON.stringify(json) });

describe("parsePageConfig", () => {
  it("gives the defaults without the var, or with an empty one", () => {
    const defaults = { title: "Afterlife status", hiddenProbes: [], timeZone: "UTC", showFailureEvidence: false };
    expect(parsePageConfig({})).toEqual(defaults);
    expect(parsePageConfig({ STATUS_PAGE: "  " })).toEqual(defaults);
    expect(parsePageConfig({ OTHER: "x" })).toEqual(defaults);
  });

  it("reads every field", () => {
    const config = {
      title: "Acme status",
      logoUrl: "/logo.svg",
      homepageUrl: "https://acme.example",
      supportUrl: "mailto:help@acme.example",
      publicGroups: ["Checkout"],
      hiddenProbes: ["internal-admin"],
      timeZone: "Europe/Berlin",
      showFailureEvidence: true,
    };
    expect(parse(config)).toEqual(config);
    expect(parse({ logoUrl: "data:image/svg+xml;base64,PHN2Zy8+" }).logoUrl).toBe("data:image/svg+xml;base64,PHN2Zy8+");
    expect(parse({ supportUrl: "https://help.acme.example/status?x=1" }).supportUrl).toBe(
      "https://help.acme.example/status?x=1",
    );
  });

  it.each([
    [{ timeZone: "Mars/Olympus" }, "STATUS_PAGE.timeZone: an IANA time zone"],
    [{ title: "" }, "STATUS_PAGE.title:"],
    [{ title: 42 }, "STATUS_PAGE.title:"],
    [{ logoUrl: "https://cdn.example/logo.png" }, "STATUS_PAGE.logoUrl: a same-origin path"],
    [{ logoUrl: "//evil.example/logo.png" }, "STATUS_PAGE.logoUrl:"],
    [{ logoUrl: "javascript:alert(1)" }, "STATUS_PAGE.logoUrl:"],
    [{ logoUrl: "data:text/html,<script>alert(1)</script>" }, "STATUS_PAGE.logoUrl:"],
    [{ homepageUrl: "javascript:alert(1)" }, "STATUS_PAGE.homepageUrl: an http(s) URL"],
    [{ supportUrl: "ftp://x.example" }, "STATUS_PAGE.supportUrl: an http(s) URL or a mailto: address"],
    [{ hiddenProbes: ["Bad Id"] }, "STATUS_PAGE.hiddenProbes[0]: a probe id"],
    [{ publicGroups: "Checkout" }, "STATUS_PAGE.publicGroups:"],
    [{ showFailureEvidence: "yes" }, "STATUS_PAGE.showFailureEvidence:"],
    [{ titel: "typo" }, "STATUS_PAGE: unknown key 'titel' (check the spelling)"],
    [[1, 2], "STATUS_PAGE:"],
  ])("refuses %j and names the field", (json, message) => {
    expect(() => parse(json)).toThrow(PageConfigError);
    expect(() => parse(json)).toThrow(message);
  });

  it("says when the var is not JSON", () => {
    expect(() => parse("{title: 'x'}")).toThrow(/^STATUS_PAGE: not valid JSON/);
  });

  it("lists every bad field at once", () => {
    expect(() => parse({ timeZone: "Nowhere", title: "" })).toThrow(/STATUS_PAGE\.title: .*; STATUS_PAGE\.timeZone: /);
  });

  it("pageConfigOf parses once per distinct text", () => {
    const values = { STATUS_PAGE: JSON.stringify({ title: "Cached" }) };
    expect(pageConfigOf(values)).toBe(pageConfigOf({ ...values }));
    expect(pageConfigOf(values).title).toBe("Cached");
    expect(() => pageConfigOf({ STATUS_PAGE: "{" })).toThrow(PageConfigError);
  });
});
