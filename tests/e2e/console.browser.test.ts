import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, chromium, type Locator, type Page } from 'playwright-core';
import { DEV_SECRETS } from '../../local/dev-secrets';
import { type LocalPipeline, startLocalPipeline } from '../../local/pipeline';
import { fromProxyEvent, postWebhook, signWebhook } from '../../local/signing';
import { octokitExample } from '../support/github-examples';
import { browserAvailable, CHROMIUM } from './support/browser';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const fixtures = join(__dirname, '../../events/ingest');

const github = (event: string, action?: string) =>
  signWebhook({
    env: {},
    source: 'github',
    event,
    body: Buffer.from(
      JSON.stringify(octokitExample(event, (p) => action === undefined || p.action === action)),
    ),
  });

const describeInBrowser = browserAvailable() ? describe : describe.skip;

describeInBrowser('local console in a real browser (headless Chromium)', () => {
  let dir: string;
  let pipeline: LocalPipeline;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'local-console-'));
    pipeline = await startLocalPipeline({
      port: 0,
      localDir: dir,
      env: { PATH: process.env.PATH },
      warm: true,
      functionConcurrency: 2,
      mapping: { maximumBatchingWindowSeconds: 0.1 },
      pollIntervalMs: 100,
    });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  });

  afterAll(async () => {
    await browser?.close();
    await pipeline?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('lists deliveries live, filters them, shows one in detail and resends it', async () => {
    // Prepare: one accepted delivery before the page opens, and one refused.
    const push = github('push');
    expect((await postWebhook(pipeline.url, push)).status).toBe(202);
    const forged = { ...github('issues', 'opened') };
    forged.headers = { ...forged.headers, 'X-Hub-Signature-256': `sha256=${'0'.repeat(64)}` };
    expect((await postWebhook(pipeline.url, forged)).status).toBe(403);

    for (const name of ['gitlab-push.json', 'ddns-update.json']) {
      const fixture = fromProxyEvent(JSON.parse(readFileSync(join(fixtures, name), 'utf8')));
      expect((await postWebhook(pipeline.url, signWebhook({ env: {}, ...fixture }))).status).toBe(202);
    }

    // Act: open the console at the `ready` URL.
    await page.goto(pipeline.url);

    // Assert: both rows, newest first; the refusal says why.
    const rows = page.locator('tbody tr');
    await countIs(rows, 4);
    await page.getByText('X-Hub-Signature-256 does not match').waitFor();
    await page
      .locator('tbody tr', { hasText: push.deliveryId.slice(0, 8) })
      .getByText('SUCCEEDED')
      .waitFor();

    // Live: a delivery sent now shows up without a reload, and its finding with it.
    const publicized = github('repository', 'publicized');
    expect((await postWebhook(pipeline.url, publicized)).status).toBe(202);
    const row = page.locator('tbody tr', { hasText: publicized.deliveryId.slice(0, 8) });
    await row.getByText('1 finding(s)').waitFor();
    await countIs(rows, 5);

    // Filters: refused only, then free text over the indexed documents.
    await page.getByLabel('Status').selectOption('refused');
    await countIs(rows, 1);
    await page.getByText('refused 403').waitFor();
    await page.getByLabel('Status').selectOption('');
    await page.getByLabel('Search').fill('publicized');
    await countIs(rows, 1);
    await page.getByLabel('Search').fill('');
    await countIs(rows, 5);
    await page.getByLabel('Source').selectOption('ddns');
    await countIs(rows, 1);
    await page.getByLabel('Source').selectOption('');

    // Detail, by keyboard: the request with its signature masked, the execution's states, the finding.
    await countIs(rows, 5);
    await page.getByRole('button', { name: `open delivery ${publicized.deliveryId}` }).focus();
    await page.keyboard.press('Enter');
    const detail = page.getByRole('complementary', { name: 'delivery detail' });
    await detail.getByText('CheckCompliance').first().waitFor();
    await detail.locator('li', { hasText: 'HIGH github.repository.publicized' }).waitFor();
    await detail.locator('li', { hasText: 'alarm on compliance-alarm-topic' }).waitFor();
    const text = (await detail.textContent()) ?? '';
    expect(text).toContain('sha256=••••••••');
    expect(text).not.toContain(publicized.headers['X-Hub-Signature-256']);
    expect(text).not.toContain(DEV_SECRETS.github);
    expect(text).toContain(
      `"subject": "${(octokitExample('repository') as { repository: { full_name: string } }).repository.full_name}"`,
    );
    if (process.env.CONSOLE_SCREENSHOT) await page.screenshot({ path: process.env.CONSOLE_SCREENSHOT });

    // Resend: signed again, the same delivery id, accepted.
    await detail.getByRole('button', { name: 'Resend' }).click();
    await page.getByText(`resent as delivery ${publicized.deliveryId}: 202`, { exact: false }).waitFor();

    // Escape closes the detail.
    await page.keyboard.press('Escape');
    await detail.waitFor({ state: 'detached' });
    // The focus goes back to the row the detail was opened from.
    const label = `open delivery ${publicized.deliveryId}`;
    await page.waitForFunction(
      `document.activeElement?.getAttribute('aria-label') === ${JSON.stringify(label)}`,
    );
  });
});

/** Waits until the locator matches `count` elements, then asserts it (Jest's expect, not Playwright's). */
async function countIs(locator: Locator, count: number): Promise<void> {
  const deadline = Date.now() + 20_000;
  let seen = await locator.count();
  while (seen !== count && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    seen = await locator.count();
  }
  expect(seen).toBe(count);
}
