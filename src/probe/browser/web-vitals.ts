/**
 * Web Vitals measured inside the page by the browser's own Performance APIs: an init script
 * observes every document the journey opens and reports its figures to the runner through a
 * binding, so a page the journey leaves still counts. The run keeps the worst page's figures.
 */
import type { WebVitals } from "../result.ts";

/** The binding the init script calls; its name is unlikely to meet a page's own globals. */
export const VITALS_BINDING = "__afterlifeVitals";

/**
 * Runs in every document before its own scripts. LCP and FCP from paint entries, CLS from layout
 * shifts without recent input, INP as the longest event-timing entry of an interaction, TTFB and
 * load from navigation timing. Each change is reported at once (the page may be left any time).
 */
export const VITALS_INIT_SCRIPT = `(() => {
  const report = globalThis[${JSON.stringify(VITALS_BINDING)}];
  if (typeof report !== "function" || typeof PerformanceObserver !== "function") return;
  const doc = Math.random().toString(36).slice(2);
  const v = { doc, url: location.href };
  const send = () => { try { report(Object.assign({}, v)); } catch (e) {} };
  const observe = (type, fn, extra) => {
    try { new PerformanceObserver((list) => { list.getEntries().forEach(fn); send(); }).observe(Object.assign({ type, buffered: true }, extra || {})); } catch (e) {}
  };
  observe("largest-contentful-paint", (e) => { v.lcpMs = e.renderTime || e.loadTime || e.startTime; });
  observe("paint", (e) => { if (e.name === "first-contentful-paint") v.fcpMs = e.startTime; });
  observe("layout-shift", (e) => { if (!e.hadRecentInput) v.cls = (v.cls || 0) + e.value; });
  observe("event", (e) => { if (e.interactionId) v.inpMs = Math.max(v.inpMs || 0, e.duration); }, { durationThreshold: 16 });
  const navigation = () => {
    const n = performance.getEntriesByType("navigation")[0];
    if (!n) return;
    if (n.responseStart > 0) v.ttfbMs = n.responseStart;
    if (n.loadEventEnd > 0) v.loadMs = n.loadEventEnd;
    send();
  };
  addEventListener("load", () => setTimeout(navigation, 0));
  addEventListener("pagehide", send);
})();`;

/** One document's figures as the init script reports them. */
export interface PageVitals extends WebVitals {
  doc: string;
  url: string;
}

const FIELDS = ["lcpMs", "fcpMs", "ttfbMs", "loadMs", "cls", "inpMs"] as const;

const finite = (value: unknown): number | undefined =>
  typeof value === "number" && Number.isFinite(value) && value >= 0 ? value : undefined;

/** Reads a report from the page (untrusted: a page could call the binding itself) into numbers only. */
export function parsePageVitals(raw: unknown): PageVitals | null {
  if (typeof raw !== "object" || raw === null) return null;
  const r = raw as Record<string, unknown>;
  if (typeof r.doc !== "string" || typeof r.url !== "string") return null;
  const out: PageVitals = { doc: r.doc.slice(0, 32), url: r.url.slice(0, 2000) };
  for (const field of FIELDS) {
    const value = finite(r[field]);
    if (value !== undefined) out[field] = field === "cls" ? Math.round(value * 10_000) / 10_000 : Math.round(value);
  }
  return out;
}

/** The journey's vitals: each figure of its worst page (the largest LCP, TTFB, CLS, ...). */
export function worstVitals(pages: Iterable<WebVitals>): WebVitals {
  const out: WebVitals = {};
  for (const page of pages) {
    for (const field of FIELDS) {
      const value = page[field];
      if (value !== undefined && (out[field] === undefined || value > out[field]!)) out[field] = value;
    }
  }
  return out;
}
