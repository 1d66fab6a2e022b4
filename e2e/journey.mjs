// The drive of issue #8: the original frontend, unmodified, in Debian's Chromium, against a
// throwaway genascope started by scripts/e2e.sh. Every step logs PASS or FAIL and leaves a
// screenshot in E2E_OUT; the process exits non-zero when any step fails.
import { chromium } from 'playwright-core';
import fs from 'node:fs';
import path from 'node:path';

const FRONTEND = process.env.E2E_FRONTEND;
const OUT = process.env.E2E_OUT;
const PASSWORD = process.env.GENASCOPE_DEMO_PASSWORD ?? 'demo-password-2026';
const ADMIN = 'admin@demo.genascope.test';

const results = [];
let shot = 0;

async function step(page, name, body) {
  const started = Date.now();
  try {
    await body();
    results.push({ name, ok: true });
    console.log(`PASS ${name} (${Date.now() - started} ms)`);
  } catch (e) {
    results.push({ name, ok: false, error: String(e?.message ?? e).split('\n')[0] });
    console.log(`FAIL ${name}: ${String(e?.message ?? e).split('\n')[0]}`);
  } finally {
    shot += 1;
    const file = path.join(OUT, `${String(shot).padStart(2, '0')}-${name.replace(/[^a-z0-9]+/gi, '-')}.png`);
    await page.screenshot({ path: file, fullPage: true }).catch(() => {});
  }
}

/** Waits for a JSON API response matching `pred` while `action` runs; returns its body. */
async function apiCall(page, pred, action) {
  const [res] = await Promise.all([
    page.waitForResponse((r) => pred(new URL(r.url()), r.request().method()), { timeout: 15000 }),
    action(),
  ]);
  if (res.status() >= 400) throw new Error(`${res.request().method()} ${res.url()} answered ${res.status()}`);
  return res.json().catch(() => null);
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const staff = await (await browser.newContext({ viewport: { width: 1400, height: 1000 } })).newPage();
const apiErrors = [];
staff.on('response', (r) => {
  const u = new URL(r.url());
  if ((u.pathname.startsWith('/api') || u.pathname.startsWith('/ai-chat')) && r.status() >= 500) {
    apiErrors.push(`${r.request().method()} ${u.pathname} ${r.status()}`);
  }
});

await step(staff, 'staff logs in', async () => {
  await staff.goto(`${FRONTEND}/login`);
  await staff.getByPlaceholder('Enter your email').fill(ADMIN);
  await staff.getByPlaceholder('Enter your password').fill(PASSWORD);
  await apiCall(staff, (u) => u.pathname === '/api/auth/me', () => staff.locator('button[type=submit]').click());
  await staff.waitForURL((u) => !u.pathname.startsWith('/login'), { timeout: 15000 });
});

await step(staff, 'patients page lists the demo patients', async () => {
  const list = await apiCall(staff, (u, m) => m === 'GET' && u.pathname.startsWith('/api/patients'),
    () => staff.goto(`${FRONTEND}/patients`));
  if (!Array.isArray(list) || list.length < 20) throw new Error(`expected 20 patients, got ${list?.length}`);
  await staff.getByText('Lovelace').first().waitFor({ timeout: 10000 });
});

await step(staff, 'invites page loads its list', async () => {
  const body = await apiCall(staff, (u, m) => m === 'GET' && u.pathname.startsWith('/api/invites'),
    () => staff.goto(`${FRONTEND}/manage-invites`));
  if (!body || !('invites' in body) || !('total_count' in body)) throw new Error('invite list without invites/total_count');
});

await step(staff, 'no API call answered 5xx', async () => {
  if (apiErrors.length) throw new Error(apiErrors.join(', '));
});

await browser.close();
fs.writeFileSync(path.join(OUT, 'results.json'), JSON.stringify(results, null, 2));
const failed = results.filter((r) => !r.ok);
console.log(`${results.length - failed.length} passed, ${failed.length} failed`);
process.exit(failed.length ? 1 : 0);
