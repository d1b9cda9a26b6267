import { appUrl, newContext, startBenchStack, median } from './lib/stack.mjs';
const stack = await startBenchStack();
const ms = [];
try {
  for (let run = 0; run < 12; run++) {
  const context = await newContext(stack.browser, 'baseline');
  await context.addInitScript(() => {
    new MutationObserver((_, obs) => {
      if (document.querySelector('[data-testid=auth-state]')) { window.__rendered = performance.now(); obs.disconnect(); }
    }).observe(document, { childList: true, subtree: true });
  });
  const page = await context.newPage();
  await page.goto(`${appUrl('baseline')}/`); // warm: scripts cached, as an app's are when its callback comes
    await page.goto(`${appUrl('baseline')}/callback?code=abc&state=def`);
    await page.waitForFunction(() => window.__rendered !== undefined);
    ms.push(await page.evaluate(() => window.__rendered));
    await context.close();
  }
} finally { await stack.close(); }
console.log('baseline rendered: median', median(ms).toFixed(0), ms.map((x) => x.toFixed(0)).join(' '));
