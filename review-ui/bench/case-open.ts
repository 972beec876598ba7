// Time from opening a case (click in the queue) to its clip's first frame and every still shown, over a
// seeded queue, in Debian Chromium against the real api. Prints p50/p95/max; not a test (no assertions).
//   npx tsx review-ui/bench/case-open.ts [cases=30]
import { buildUi, launchBrowser, loginAs, startStack } from '../test/harness';

const n = Number(process.argv[2] ?? 30);
const uiDir = await buildUi();
const stack = await startStack({ uiDir });
try {
  const ids: string[] = [];
  for (let i = 0; i < n; i++)
    ids.push(
      await stack.addCase({
        plate: `29-B1 ${String(100 + i).padStart(3, '0')}.${String(10 + (i % 89)).padStart(2, '0')}`,
        occurredAt: new Date(Date.now() - (n - i) * 60_000),
      }),
    );
  const browser = await launchBrowser();
  const page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
  await loginAs(page, stack.baseUrl, 'officer');
  const times: number[] = [];
  for (const [i, id] of ids.entries()) {
    await page.getByRole('link', { name: 'Hàng đợi xử lý' }).click();
    const link = page.locator(`tr[data-case-id="${id}"] a`);
    await link.waitFor();
    const t0 = await page.evaluate(() => performance.now());
    await link.click();
    const article = page.locator(`article[data-case-id="${id}"][data-evidence-ready="true"]`);
    await article.waitFor({ timeout: 60_000 });
    const readyAt = Number(await article.getAttribute('data-evidence-ready-at'));
    times.push(readyAt - t0);
    if (i === 0) console.log(`first open (includes loading the officer chunk): ${(readyAt - t0).toFixed(0)} ms`);
  }
  await browser.close();
  const sorted = [...times].sort((a, b) => a - b);
  const q = (p: number) => sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]!;
  console.log(`cases opened: ${times.length}`);
  console.log(`open → clip + stills shown: p50 ${q(0.5).toFixed(0)} ms, p95 ${q(0.95).toFixed(0)} ms, max ${sorted[sorted.length - 1]!.toFixed(0)} ms`);
} finally {
  await stack.close();
}
