/**
 * The public status page's settings: one JSON Worker var, `STATUS_PAGE`, so the page's knobs do
 * not spread over the shared Worker configuration. Every field is optional.
 *
 * @example
 * # wrangler.toml
 * [vars]
 * STATUS_PAGE = '''{
 *   "title": "Acme status",
 *   "logoUrl": "/logo.svg",
 *   "homepageUrl": "https://acme.example",
 *   "supportUrl": "mailto:support@acme.example",
 *   "publicGroups": ["Checkout", "Storefront"],
 *   "hiddenProbes": ["internal-admin"],
 *   "timeZone": "Europe/Berlin",
 *   "showFailureEvidence": false
 * }'''
 */
import { z } from "zod";
import { isValidTimeZone } from "../incidents/maintenance-windows.ts";
import { formatPath } from "../probe/registry.ts";
import { ProbeIdSchema } from "../probe/schema.ts";

/** The name of the Worker var that holds the page's JSON settings. */
export const PAGE_CONFIG_VAR = "STATUS_PAGE";

const webLink = z
  .string()
  .max(2000)
  .refine((s) => /^https?:\/\/[^\s]+$/i.test(s) && URL.canParse(s), "an http(s) URL such as https://example.com");

/**
 * The page's Content-Security-Policy loads images only from its own origin and data: URIs, so
 * a logo elsewhere would be blocked in the browser. Say so here rather than show a broken image.
 */
const logoUrl = z
  .string()
  .max(100_000)
  .refine(
    (s) =>
      (/^\/(?!\/)[^\s\\]*$/.test(s) && URL.canParse(s, "https://x.invalid")) ||
      /^data:image\/(png|gif|webp|jpeg|svg\+xml)(;base64)?,[^\s]*$/i.test(s),
    "a same-origin path such as /logo.svg or a data:image/... URI (the page's Content-Security-Policy allows images only from its own origin and data: URIs)",
  );

const PageConfigSchema = z.strictObject({
  /** Shown as the page's heading and in the browser tab. */
  title: z.string().trim().min(1).max(120).default("Afterlife status"),
  logoUrl: logoUrl.optional(),
  /** "Back to the product" link in the header. */
  homepageUrl: webLink.optional(),
  /** Where customers ask for help; an http(s) or mailto: URL. */
  supportUrl: z
    .string()
    .max(2000)
    .refine(
      (s) => (/^https?:\/\/[^\s]+$/i.test(s) && URL.canParse(s)) || /^mailto:[^\s@]+@[^\s@]+$/i.test(s),
      "an http(s) URL or a mailto: address",
    )
    .optional(),
  /** The groups (business capabilities) the page shows; default every group. */
  publicGroups: z.array(z.string().min(1).max(80)).max(1000).optional(),
  /** Probes never shown, on top of those whose definition says `public: false`. */
  hiddenProbes: z.array(ProbeIdSchema).max(10_000).default([]),
  /** IANA time zone for times on the page. Days stay UTC days (the rollups' buckets); the page says so. */
  timeZone: z.string().refine(isValidTimeZone, "an IANA time zone such as Europe/Berlin or UTC").default("UTC"),
  /**
   * Show the failing step and the failure message of recent failures on the public page. Off by
   * default: the page then shows only when, where and what kind of failure (timeout, status, ...).
   */
  showFailureEvidence: z.boolean().default(false),
});

export type PageConfig = z.infer<typeof PageConfigSchema>;

export class PageConfigError extends Error {
  override name = "PageConfigError";
}

/**
 * Reads the page settings from the Worker's string bindings (`deps.config.values`). A missing
 * var gives the defaults; a bad one throws PageConfigError naming each bad field.
 *
 * @example
 * parsePageConfig({ STATUS_PAGE: '{"title":"Acme status","timeZone":"Europe/Berlin"}' }).timeZone // "Europe/Berlin"
 * parsePageConfig({ STATUS_PAGE: '{"timeZone":"Mars/Olympus"}' }) // throws: STATUS_PAGE.timeZone: an IANA time zone ...
 */
export function parsePageConfig(values: Readonly<Record<string, string>>): PageConfig {
  const text = values[PAGE_CONFIG_VAR];
  let json: unknown = {};
  if (text !== undefined && text.trim() !== "") {
    try {
      json = JSON.parse(text);
    } catch (error) {
      throw new PageConfigError(
        `${PAGE_CONFIG_VAR}: not valid JSON (${error instanceof Error ? error.message : String(error)})`,
      );
    }
  }
  const parsed = PageConfigSchema.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => {
      const path = formatPath(i.path);
      const message =
        i.code === "unrecognized_keys"
          ? `unknown key${i.keys.length > 1 ? "s" : ""} ${i.keys.map((k) => `'${k}'`).join(", ")} (check the spelling)`
          : i.message;
      return `${PAGE_CONFIG_VAR}${path ? `.${path}` : ""}: ${message}`;
    });
    throw new PageConfigError(`invalid status page configuration: ${issues.join("; ")}`);
  }
  return parsed.data;
}

const cache = new Map<string, PageConfig>();

/** parsePageConfig, remembered per distinct var text (the values are the same for an isolate's life). */
export function pageConfigOf(values: Readonly<Record<string, string>>): PageConfig {
  const key = values[PAGE_CONFIG_VAR] ?? "";
  let config = cache.get(key);
  if (!config) {
    config = parsePageConfig(values);
    if (cache.size > 8) cache.clear();
    cache.set(key, config);
  }
  return config;
}
