// The HTML variants' page (bench/run.mjs, bench/components-cpu.mjs): 50 KB of ordinary markup,
// with or without 10 control components. No Node APIs: it is bundled into Workers too.

/** A 50 KB page of ordinary markup; with `components`, 10 control components spread through it (half shown to the bench's session). */
export function htmlPage(components) {
  const component = (i) =>
    i % 2 === 0
      ? `<clerk-signed-in><a href="/account/${i}">Account ${i}</a></clerk-signed-in>`
      : `<clerk-protect role="org:admin"><a href="/admin/${i}">Admin ${i}</a><clerk-fallback><span>${i}</span></clerk-fallback></clerk-protect>`;
  const block = (i) => `<section class="card" id="s${i}"><h2>Section ${i}</h2><p>${'Lorem ipsum dolor sit amet, consectetur adipiscing elit. '.repeat(8)}</p><ul><li><a href="/x/${i}">one</a></li><li><a href="/y/${i}">two</a></li></ul></section>\n`;
  let html = '<!doctype html><html><head><meta charset="utf-8"><meta name="page" content="origin"><title>bench</title></head><body>\n';
  for (let i = 0; new TextEncoder().encode(html).byteLength < 50 * 1024 - 200; i++) html += block(i) + (components && i < 10 ? component(i) : '');
  return `${html}</body></html>`;
}
