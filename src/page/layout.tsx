import type { Child } from "hono/jsx";
import { html } from "hono/html";
import { parsePageConfig, type PageConfig } from "./page-config.ts";
import { STYLESHEET_URL } from "./styles.ts";

/**
 * The page's only script, and all of its progressive enhancement: times in the reader's own zone
 * (the server writes them in the configured one), and Escape hides an open tooltip (WCAG 1.4.13).
 * hono/jsx escapes script text like any other, so it is written without < > & and quotes: the
 * text in the page is exactly this string, whose SHA-256 the Content-Security-Policy allows
 * (pageScriptSource), so every copy of a page is the same bytes and needs no nonce.
 */
export const ENHANCE = [
  "(function(){var f=new Intl.DateTimeFormat(undefined,{year:`numeric`,month:`short`,day:`numeric`,hour:`2-digit`,minute:`2-digit`,timeZoneName:`short`});",
  "document.querySelectorAll(`time[data-local]`).forEach(function(t){var d=new Date(t.getAttribute(`datetime`));if(!isNaN(d.getTime()))t.textContent=f.format(d)});",
  "var c=document.documentElement.classList;document.addEventListener(`keydown`,function(e){if(e.key===`Escape`)c.add(`tips-off`)});",
  "document.addEventListener(`focusin`,function(){c.remove(`tips-off`)});document.addEventListener(`pointerover`,function(){c.remove(`tips-off`)})})();",
].join("");

const DEFAULT_CONFIG = parsePageConfig({});

interface LayoutProps {
  /** The document title (the browser tab). */
  title: string;
  /** Default: the defaults of parsePageConfig (the API reference page has no settings of its own). */
  config?: PageConfig;
  children: Child;
}

/** `<!DOCTYPE html>` then the page: without it the browser renders in quirks mode. */
export function renderDocument(page: Child) {
  return html`<!DOCTYPE html>${page}`;
}

export function Layout(props: LayoutProps) {
  const config = props.config ?? DEFAULT_CONFIG;
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{props.title}</title>
        <meta name="color-scheme" content="light dark" />
        <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
        <link rel="stylesheet" href={STYLESHEET_URL} />
        <link
          rel="alternate"
          type="application/atom+xml"
          title={`${config.title}: incidents and maintenance`}
          href="/feed.atom"
        />
      </head>
      <body>
        <a class="skip" href="#main">
          Skip to content
        </a>
        <div class="site">
          <header class="site-header">
            <a class="brand" href="/">
              {config.logoUrl ? <img src={config.logoUrl} alt="" /> : null}
              <span>{config.title}</span>
            </a>
            <nav aria-label="Site">
              <ul>
                <li>
                  <a href="/history">Incident history</a>
                </li>
                <li>
                  <a href="/feed.atom">Subscribe (Atom feed)</a>
                </li>
                {config.supportUrl ? (
                  <li>
                    <a href={config.supportUrl}>Support</a>
                  </li>
                ) : null}
                {config.homepageUrl ? (
                  <li>
                    <a href={config.homepageUrl}>Homepage</a>
                  </li>
                ) : null}
              </ul>
            </nav>
          </header>
          <main id="main" tabindex={-1}>
            {props.children}
          </main>
          <footer class="site-footer">
            <p>
              Bars show UTC days. Times are in {config.timeZone === "UTC" ? "UTC" : config.timeZone}, or in your own
              time zone when your browser runs JavaScript.
            </p>
            <ul>
              <li>
                <a href="/feed.atom">Atom feed</a>
              </li>
              <li>
                <a href="/api/v2/summary.json">Status API</a>
              </li>
              <li>
                <a href="/api/docs">API reference</a>
              </li>
            </ul>
            <p>Powered by Afterlife, synthetic monitoring from many regions.</p>
          </footer>
        </div>
        <script>{ENHANCE}</script>
      </body>
    </html>
  );
}
