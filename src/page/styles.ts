/**
 * The pages' stylesheet, served as /assets/status.css with a content hash in its URL, so a
 * browser keeps it for a year and every page stays small. No inline styles anywhere: the
 * Content-Security-Policy allows styles from this origin only.
 *
 * Colours meet WCAG 2.2 AA in both schemes (text 4.5:1, bar segments and chart lines 3:1
 * against the background; see test/worker/page/contrast.test.ts), and none is the only signal:
 * segments also differ in height, states carry an icon and a word.
 *
 * The status page's strips (DayStrip) draw a day as an empty element told apart by its tag
 * (DAY_TAG: i ok, b below objective, s under 90 %, u no data), the probe page's bar as an
 * `li` with a class (d-ok, d-minor, d-major, d-none); both get the same colours and heights.
 */
import { fnv1a } from "../hash.ts";
export const STYLESHEET = `
:root{color-scheme:light dark;
--bg:#ffffff;--fg:#1f2328;--muted:#57606a;--card:#f6f8fa;--border:#d0d7de;--link:#0550ae;
--up:#1a7f37;--minor:#9a6700;--major:#cf222e;--nodata:#6e7781;--maint:#0550ae;
--tip-bg:#1f2328;--tip-fg:#ffffff;--p50:#0550ae;--p95:#8250df;--grid:#d0d7de}
@media (prefers-color-scheme:dark){:root{
--bg:#0d1117;--fg:#e6edf3;--muted:#9ea7b3;--card:#161b22;--border:#3d444d;--link:#6cb6ff;
--up:#3fb950;--minor:#d29922;--major:#ff7b72;--nodata:#768390;--maint:#6cb6ff;
--tip-bg:#e6edf3;--tip-fg:#0d1117;--p50:#6cb6ff;--p95:#d2a8ff;--grid:#3d444d}}
*,*::before,*::after{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;background:var(--bg);color:var(--fg)}
a{color:var(--link);text-underline-offset:.15em}
a:focus-visible,[tabindex]:focus-visible,summary:focus-visible{outline:3px solid var(--link);outline-offset:2px;border-radius:2px}
.skip{position:absolute;left:.5rem;top:-3rem;background:var(--bg);padding:.5rem .75rem;z-index:20}
.skip:focus{top:.5rem}
.site{max-width:60rem;margin:0 auto;padding:1rem}
.site-header{display:flex;flex-wrap:wrap;align-items:center;justify-content:space-between;gap:.5rem 1rem;padding:.5rem 0 1rem;border-bottom:1px solid var(--border);margin-bottom:1.5rem}
.brand{display:flex;align-items:center;gap:.75rem;color:var(--fg);text-decoration:none;font-weight:600;font-size:1.125rem;min-width:0;overflow-wrap:anywhere}
.brand img{height:2rem;width:auto;max-width:10rem}
.site-header nav ul,.site-footer ul{display:flex;flex-wrap:wrap;gap:.25rem 1rem;list-style:none;margin:0;padding:0}
main{display:block}
h1{font-size:1.625rem;line-height:1.25;margin:0 0 1rem;overflow-wrap:anywhere}
h2{font-size:1.25rem;margin:2rem 0 .75rem}
h3{font-size:1.0625rem;margin:0}
h4{font-size:1rem;margin:0;font-weight:600}
p{margin:.5rem 0}
.muted{color:var(--muted);font-size:.875rem}
.visually-hidden{position:absolute!important;width:1px;height:1px;margin:-1px;padding:0;overflow:hidden;clip-path:inset(50%);white-space:nowrap;border:0}
.banner{display:flex;gap:.75rem;align-items:flex-start;padding:1rem 1.25rem;border-radius:.5rem;background:var(--card);border:1px solid var(--border);border-left:.5rem solid var(--nodata)}
.banner .icon{font-size:1.5rem;line-height:1.2}
.banner p{margin:0}
.banner .headline{font-size:1.25rem;font-weight:700;margin:0}
.banner[data-state=operational]{border-left-color:var(--up)}
.banner[data-state=degraded]{border-left-color:var(--minor)}
.banner[data-state=partial_outage],.banner[data-state=major_outage]{border-left-color:var(--major)}
.banner[data-state=maintenance]{border-left-color:var(--maint)}
.notice{padding:1rem 1.25rem;border-radius:.5rem;border:1px solid var(--border);border-left:.5rem solid var(--minor);margin:1rem 0;background:var(--card)}
.notice[data-impact=major],.notice[data-impact=critical]{border-left-color:var(--major)}
.notice[data-kind=maintenance]{border-left-color:var(--maint)}
.notice h3{overflow-wrap:anywhere}
.notice .update{white-space:pre-line;overflow-wrap:anywhere}
.state{font-weight:600;white-space:nowrap}
.state[data-state=up]{color:var(--up)}
.state[data-state=degraded],.state[data-state=regional]{color:var(--minor)}
.state[data-state=down]{color:var(--major)}
.state[data-state=no-data]{color:var(--muted)}
.state[data-state=maintenance]{color:var(--maint)}
.legend{display:flex;flex-wrap:wrap;gap:.25rem 1rem;list-style:none;margin:.5rem 0 1rem;padding:0}
.legend li{display:flex;align-items:flex-end;gap:.375rem}
.swatch{display:inline-flex;align-items:flex-end;width:.5rem;height:1rem}
.swatch::before{content:"";flex:1}
.group{border:1px solid var(--border);border-radius:.5rem;margin:0 0 1rem;background:var(--bg)}
.group-head{display:flex;flex-wrap:wrap;justify-content:space-between;gap:.25rem 1rem;padding:.75rem 1rem;background:var(--card);border-bottom:1px solid var(--border);border-radius:.5rem .5rem 0 0}
.group-head h3{overflow-wrap:anywhere}
.probes{list-style:none;margin:0;padding:0}
.probe{padding:.875rem 1rem;border-top:1px solid var(--border)}
.probe:first-child{border-top:0}
.probe-head{display:flex;flex-wrap:wrap;justify-content:space-between;gap:.25rem 1rem;align-items:baseline}
.probe-head h4{overflow-wrap:anywhere;min-width:0}
.bar{position:relative;display:flex;gap:1px;height:2.25rem;list-style:none;margin:.5rem 0 .25rem;padding:0}
.bar>li{flex:1 1 0;min-width:0;display:flex;align-items:flex-end;cursor:default;border-radius:1px}
.bar>li::before,.swatch::before{content:"";display:block;width:100%;border-radius:1px}
.bar>li::before{flex:1 1 auto}
.d-ok::before,.days>i::before{height:100%;background:var(--up)}
.d-minor::before,.days>b::before{height:70%;background:var(--minor)}
.d-major::before,.days>s::before{height:45%;background:var(--major)}
.d-none::before,.days>u::before{height:22%;background:var(--nodata)}
.strip{display:block;margin:.5rem 0 .25rem;border-radius:2px;color:inherit}
.days{display:flex;gap:1px;height:2.25rem}
.days>*{flex:1 1 0;min-width:0;display:flex;align-items:flex-end}
.days>::before{content:"";display:block;width:100%;border-radius:1px}
.strip:hover .days{outline:1px solid var(--fg);outline-offset:2px}
.swatch.d-ok::before{height:100%}.swatch.d-minor::before{height:70%}.swatch.d-major::before{height:45%}.swatch.d-none::before{height:22%}
.bar>li:hover{outline:1px solid var(--fg);outline-offset:1px}
.bar>li:focus{outline:none}
.bar>li:focus-visible{outline:2px solid var(--fg);outline-offset:1px}
.bar>li>span{position:absolute!important;width:1px;height:1px;margin:-1px;padding:0;overflow:hidden;clip-path:inset(50%);white-space:nowrap}
.bar>li:hover>span,.bar>li:focus>span{clip-path:none;width:max-content;max-width:min(20rem,100%);height:auto;margin:0;overflow:visible;white-space:normal;bottom:100%;left:0;
padding:.5rem .75rem;border-radius:.375rem;border-bottom:.375rem solid transparent;background:var(--tip-bg);background-clip:padding-box;color:var(--tip-fg);font-size:.8125rem;line-height:1.4;z-index:10}
.bar>li:nth-child(n+31):hover>span,.bar>li:nth-child(n+31):focus>span{left:50%;transform:translateX(-50%)}
.bar>li:nth-child(n+61):hover>span,.bar>li:nth-child(n+61):focus>span{left:auto;right:0;transform:none}
.tips-off .bar>li>span{clip-path:inset(50%)!important;width:1px!important;height:1px!important;overflow:hidden!important;padding:0!important}
.bar>li>span>b{display:block}
.axis{display:flex;justify-content:space-between;gap:1rem;color:var(--muted);font-size:.8125rem}
.axis .uptime{color:var(--fg);font-weight:600}
.axis::before{content:"90 days ago"}.axis::after{content:"Today"}
@media (max-width:36rem){
.bar>li:nth-child(-n+60),.days>:nth-child(-n+60){display:none}
.bar>li:hover>span,.bar>li:focus>span,.bar>li:nth-child(n+31):hover>span,.bar>li:nth-child(n+31):focus>span,.bar>li:nth-child(n+61):hover>span,.bar>li:nth-child(n+61):focus>span{left:0;right:0;transform:none;max-width:100%;width:auto}
.axis::before{content:"30 days ago"}
h1{font-size:1.375rem}
.site{padding:.75rem}
.banner{padding:.875rem}
.probe,.group-head{padding:.75rem}
}
.tabs{display:flex;flex-wrap:wrap;gap:.5rem;list-style:none;margin:.5rem 0 1rem;padding:0}
.tabs a{display:inline-block;padding:.25rem .75rem;border:1px solid var(--border);border-radius:999px;text-decoration:none}
.tabs a[aria-current=page]{background:var(--fg);color:var(--bg);border-color:var(--fg);font-weight:600}
.chart{margin:0}
.chart-grid{display:grid;grid-template-columns:auto 1fr;gap:.25rem .5rem}
.y-axis{display:flex;flex-direction:column;justify-content:space-between;text-align:right;color:var(--muted);font-size:.75rem;height:12rem;line-height:1}
.plot{display:block;width:100%;height:12rem;border-left:1px solid var(--grid);border-bottom:1px solid var(--grid)}
.plot .gridline{stroke:var(--grid);stroke-width:1}
.plot .p50{stroke:var(--p50);stroke-width:2.5;fill:none}
.plot .p95{stroke:var(--p95);stroke-width:2.5;fill:none;stroke-dasharray:7 4}
.plot .dot-p50{fill:var(--p50)}.plot .dot-p95{fill:var(--p95)}
.x-axis{grid-column:2;display:flex;justify-content:space-between;color:var(--muted);font-size:.75rem}
.chart-legend{display:flex;flex-wrap:wrap;gap:.25rem 1.25rem;list-style:none;margin:.5rem 0 0;padding:0;font-size:.875rem}
.chart-legend svg{vertical-align:middle;margin-right:.375rem}
.key-p50{stroke:var(--p50);stroke-width:3}.key-p95{stroke:var(--p95);stroke-width:3;stroke-dasharray:7 4}
details{margin:.75rem 0}
summary{cursor:pointer;color:var(--link)}
.table-wrap{overflow-x:auto;max-width:100%}
table{border-collapse:collapse;width:100%;font-size:.9375rem}
th,td{text-align:left;padding:.5rem .625rem;border-bottom:1px solid var(--border);vertical-align:top}
th{font-weight:600}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
.slo{display:grid;grid-template-columns:repeat(auto-fit,minmax(16rem,1fr));gap:1rem}
.slo-card{border:1px solid var(--border);border-radius:.5rem;padding:1rem;background:var(--card)}
.slo-card h3{margin-bottom:.5rem}
.slo-card dl{display:grid;grid-template-columns:auto 1fr;gap:.25rem .75rem;margin:0}
.slo-card dt{color:var(--muted)}
.slo-card dd{margin:0;font-weight:600;font-variant-numeric:tabular-nums;overflow-wrap:anywhere}
.budget{display:block;width:100%;height:.75rem;margin:.75rem 0 .25rem}
.budget .track{fill:var(--bg);stroke:var(--muted);stroke-width:1}
.budget .fill{fill:var(--up)}
.budget .fill.low{fill:var(--minor)}
.budget .fill.out{fill:var(--major)}
.burn-plot{display:block;width:100%;height:6rem;border-left:1px solid var(--grid);border-bottom:1px solid var(--grid)}
.burn-plot .gridline{stroke:var(--muted);stroke-width:1;stroke-dasharray:4 4}
.burn-plot .budget-line{stroke:var(--p50);stroke-width:2.5;fill:none}
.slo-card h4{margin:1rem 0 .25rem;font-size:.9375rem}
.failures{list-style:none;margin:0;padding:0}
.failures li{padding:.625rem 0;border-bottom:1px solid var(--border);overflow-wrap:anywhere}
.timeline{list-style:none;margin:.5rem 0 0;padding:0 0 0 1rem;border-left:2px solid var(--border)}
.timeline li{margin:0 0 .75rem}
.timeline .update{white-space:pre-line;overflow-wrap:anywhere}
.month{margin-bottom:2rem}
.incident{border-top:1px solid var(--border);padding:1rem 0}
.incident h3{overflow-wrap:anywhere}
.site-footer{margin-top:3rem;padding-top:1rem;border-top:1px solid var(--border);color:var(--muted);font-size:.875rem}
@media (forced-colors:active){.bar>li::before,.swatch::before,.days>::before{background:CanvasText}.d-none::before,.days>u::before{background:GrayText}.banner{border-left-color:CanvasText}}
@media print{.bar>li>span{display:none}}
`;

/** FNV-1a 32 of the stylesheet, for the cache-busting `?v=` of its URL. */
const hashOf = (text: string): string => fnv1a(text).toString(36);

export const STYLESHEET_PATH = "/assets/status.css";
export const STYLESHEET_URL = `${STYLESHEET_PATH}?v=${hashOf(STYLESHEET)}`;
