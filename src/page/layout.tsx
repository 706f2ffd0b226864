import type { Child } from "hono/jsx";

const STYLE = `
:root { color-scheme: light dark; --bg:#fff; --fg:#1a1a1a; --muted:#595959; --card:#f5f5f5; --up:#106b2e; --warn:#8a5a00; --down:#b3261e; --nodata:#595959; }
@media (prefers-color-scheme: dark) { :root { --bg:#111; --fg:#eee; --muted:#b0b0b0; --card:#1d1d1d; --up:#5fd88a; --warn:#f2c14e; --down:#ff8a80; --nodata:#b0b0b0; } }
* { box-sizing: border-box; }
body { margin:0; font:16px/1.5 system-ui, sans-serif; background:var(--bg); color:var(--fg); }
main { max-width:56rem; margin:0 auto; padding:1.5rem 1rem; }
h1 { font-size:1.5rem; margin:0 0 1rem; }
.banner { padding:1rem; border-radius:.5rem; background:var(--card); border-left:.5rem solid var(--nodata); margin-bottom:1.5rem; }
.banner[data-state=operational] { border-color:var(--up); } .banner[data-state=degraded] { border-color:var(--warn); }
.banner[data-state=partial_outage], .banner[data-state=major_outage] { border-color:var(--down); }
.probe { display:flex; flex-wrap:wrap; justify-content:space-between; gap:.5rem; padding:.75rem 0; border-bottom:1px solid var(--card); }
.state { font-weight:600; } .state[data-state=up] { color:var(--up); } .state[data-state=degraded], .state[data-state=regional] { color:var(--warn); }
.state[data-state=down] { color:var(--down); } .state[data-state=no-data] { color:var(--nodata); }
.muted { color:var(--muted); font-size:.875rem; }
a { color:inherit; } a:focus-visible { outline:3px solid currentColor; outline-offset:2px; }
`;

export function Layout(props: { title: string; nonce: string | undefined; children: Child }) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{props.title}</title>
        <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
        <style nonce={props.nonce}>{STYLE}</style>
      </head>
      <body>
        <main>{props.children}</main>
      </body>
    </html>
  );
}
