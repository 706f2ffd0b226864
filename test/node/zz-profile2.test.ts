import { it } from "vitest";
import { html } from "hono/html";
import { jsx } from "hono/jsx";

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
it("micro", async () => {
  const items = Array.from({ length: 4500 }, (_, i) => ({ level: "ok", date: `${i % 28} Nov 2026`, text: `Met objective (99.9 %): 99.44 % of 7,200 runs good, 40 failed. Median 126 ms. No incident.` }));
  for (let k = 0; k < 4; k++) {
    const t0 = performance.now();
    const a = String(jsx("ol", { class: "bar" }, ...items.map((d) => jsx("li", { class: `d-${d.level}`, tabindex: 0 }, jsx("span", {}, jsx("b", {}, d.date), ` ${d.text}`)))));
    const t1 = performance.now();
    const b = String(await html`<ol class="bar">${items.map((d) => html`<li class="d-${d.level}" tabindex="0"><span><b>${d.date}</b> ${d.text}</span></li>`)}</ol>`);
    const t2 = performance.now();
    let c = '<ol class="bar">'; for (const d of items) c += `<li class="d-${esc(d.level)}" tabindex="0"><span><b>${esc(d.date)}</b> ${esc(d.text)}</span></li>`; c += "</ol>";
    const t3 = performance.now();
    let big = ""; for (let i = 0; i < 45000; i++) big += "0123456789abcdefghij"; const flat = big.length;
    const t4 = performance.now();
    let s = 0; for (const d of items) { s += d.text.search(/[&<>'"]/); }
    const t5 = performance.now();
    console.log(JSON.stringify({ jsx: t1 - t0, html: t2 - t1, concat: t3 - t2, append: t4 - t3, search: t5 - t4, sizes: [a.length, b.length, c.length, flat] }));
  }
});
