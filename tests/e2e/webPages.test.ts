// The web pages in a real browser (Chromium), served over a PostgreSQL role that may only select on
// read.*: Tonight updates itself while facts are ingested by another process (no reload), resumes
// after its live connection is cut, the history pages show the figures the read models hold, and
// hostile names from a game server show as written without running anything.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.ts';
import { openPostgresDatabase } from '../../src/store/postgresDatabase.ts';
import type { SqlDatabase } from '../../src/store/sqlDatabase.ts';
import { startWebServer, type WebServer } from '../../src/web/webServer.ts';
import { runCli } from '../support/cli.ts';
import { freshPostgresUrl, postgresAvailable } from '../support/databases.ts';

const samples = fileURLToPath(new URL('../../samples/', import.meta.url));
const stats = (name: string) => join(samples, 'stats', name);
const lua = (name: string) => join(samples, 'lua-legacy', name);
const artifacts = fileURLToPath(new URL('../../test-artifacts/web/', import.meta.url));
const chromiumPath = '/usr/bin/chromium';

/** What the tests read of a page's globals (code in page.evaluate runs in the browser). */
type InPage = {
  __sameDocument?: boolean;
  __pwned?: number;
  innerWidth: number;
  document: { documentElement: { scrollWidth: number } };
};

/** The read-only role of README "Web pages", made for this database. */
async function createPageRole(adminUrl: string, role: string): Promise<string> {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`drop role if exists ${role}`);
    await admin.query(`create role ${role} login`);
    await admin.query(`grant usage on schema read to ${role}`);
    await admin.query(`grant select on all tables in schema read to ${role}`);
    // Views are re-created when a rebuild swaps a build in: they get the grant too.
    await admin.query(`alter default privileges in schema read grant select on tables to ${role}`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.username = role;
  url.password = '';
  return url.toString();
}

async function dropPageRole(adminUrl: string, role: string): Promise<void> {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`drop owned by ${role}`);
    await admin.query(`drop role if exists ${role}`);
  } finally {
    await admin.end();
  }
}

/** The sample's supply R1 with hostile player and server names (no `\`, which ends a name field). */
function hostileStatsFile(dir: string): string {
  let text = readFileSync(stats('2026-08-19-214136-supply-round-1.txt'), 'latin1');
  text = text
    .replace('^1ET^7:^4Legacy ^7Slomix Cup', '<script>window.__pwned=3</script>')
    .replace('\\bramble\\', '\\<script>window.__pwned=1</script>\\')
    .replace('\\Oskar\\', '\\"><img src=x onerror="window.__pwned=2">\\')
    .replace('\\quill\\', '\\javascript:alert(1)\\')
    .replace('\\n0va\\', '\\\u202eevil@everyone\\');
  const file = join(dir, '2026-08-21-210000-supply-round-1.txt');
  writeFileSync(file, Buffer.from(text, 'utf8'));
  return file;
}

describe.skipIf(!postgresAvailable() || !existsSync(chromiumPath))('web pages in Chromium', () => {
  let adminUrl: string;
  let role: string;
  let db: SqlDatabase;
  let web: WebServer;
  let browser: Browser;
  const ingest = async (...args: string[]) => {
    const r = await runCli(['ingest', ...args], {
      ET_LEDGER_STORE: `postgres:${adminUrl}`,
      ET_LEDGER_TZ: 'Europe/Ljubljana',
    });
    expect(r.code, r.stderr).toBe(0);
  };
  const open = async (path: string, width = 1280): Promise<Page> => {
    const page = await browser.newPage({ viewport: { width, height: 900 } });
    await page.goto(`${web.url}${path}`);
    return page;
  };

  beforeAll(async () => {
    adminUrl = await freshPostgresUrl('web');
    // The first round makes the read schema; the page role is granted what it holds.
    await ingest('--server', 'eu1', stats('2026-08-19-214136-supply-round-1.txt'));
    role = `etl_web_${process.pid}`;
    db = await openPostgresDatabase(await createPageRole(adminUrl, role));
    web = await startWebServer(
      // The sample evening is "tonight" at 22:10 local time (its first maps are then minutes old).
      { db, log: createLogger('silent'), sessionGapMin: 45, nowMs: () => Date.parse('2026-08-19T20:10:00Z') },
      { host: '127.0.0.1', port: 0 },
    );
    browser = await chromium.launch({
      executablePath: chromiumPath,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-dev-shm-usage',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    mkdirSync(artifacts, { recursive: true });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await web?.stop();
    await db?.close();
    if (role) await dropPageRole(adminUrl, role);
  });

  it('reads as a role that can select read.* and nothing else', async () => {
    await expect(db.query('select count(*) from read.rounds')).resolves.toMatchObject({ rowCount: 1 });
    await expect(db.query('select count(*) from ledger.events')).rejects.toThrow(/permission denied/);
    await expect(db.query("insert into read.rounds (round_id) values ('x')")).rejects.toThrow(/permission denied/);
    const post = await fetch(`${web.url}/`, { method: 'POST' });
    expect(post.status).toBe(405);
  });

  it('Tonight updates itself as rounds arrive, and resumes after its connection is cut', async () => {
    const page = await open('/');
    await expect.poll(() => page.locator('#live-status').textContent(), { timeout: 15_000 }).toBe('live');
    await expect.poll(() => page.locator('section.server h2').textContent(), { timeout: 10_000 }).toContain('tonight');
    expect(await page.locator('.maps li').allTextContents()).toEqual([expect.stringContaining('supply')]);
    await page.evaluate(() => {
      (globalThis as unknown as InPage).__sameDocument = true;
    });

    // Another process appends and projects; the page learns of it by the read models' notification.
    await ingest(
      '--server',
      'eu1',
      stats('2026-08-19-214737-supply-round-2.txt'),
      lua('01-supply-R1-objective-two-pauses.json'),
      lua('02-supply-R2-surrender.json'),
    );
    await expect
      .poll(() => page.locator('section.server h3').first().textContent(), { timeout: 15_000 })
      .toContain('supply R2');
    await expect.poll(() => page.locator('.maps li').first().textContent(), { timeout: 10_000 }).toContain('held 9:03');
    await expect
      .poll(() => page.locator('section.server .score').textContent(), { timeout: 10_000 })
      .toContain('2 : 0');

    // The live connection is cut (a proxy restart): EventSource reconnects with Last-Event-ID.
    expect(web.dropLiveConnections()).toBe(1);
    await expect.poll(() => page.locator('#live-status').textContent(), { timeout: 10_000 }).not.toBe('live');
    await ingest(
      '--server',
      'eu1',
      stats('2026-08-19-220005-etl_adlernest-round-1.txt'),
      stats('2026-08-19-220523-etl_adlernest-round-2.txt'),
    );
    await expect.poll(() => page.locator('.maps li').count(), { timeout: 15_000 }).toBe(2);
    await expect
      .poll(() => page.locator('.maps li').nth(1).textContent(), { timeout: 10_000 })
      .toContain('etl_adlernest');
    await expect.poll(() => page.locator('#live-status').textContent(), { timeout: 10_000 }).toBe('live');
    expect(await page.evaluate(() => (globalThis as unknown as InPage).__sameDocument)).toBe(true);
    expect(Number(await page.locator('body').getAttribute('data-updates'))).toBeGreaterThanOrEqual(2);
    await page.screenshot({ path: join(artifacts, 'tonight-1280.png'), fullPage: true });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot({ path: join(artifacts, 'tonight-390.png'), fullPage: true });
    // Nothing is wider than the phone but the tables, which scroll inside their own box.
    const overflow = await page.evaluate(
      () =>
        (globalThis as unknown as InPage).document.documentElement.scrollWidth -
        (globalThis as unknown as InPage).innerWidth,
    );
    expect(overflow).toBeLessThanOrEqual(0);
    await page.close();
  }, 120_000);

  it('shows the history pages with the read models’ figures', async () => {
    await ingest('--server', 'eu1', join(samples, 'stats'), join(samples, 'lua-legacy'));
    // Sessions → the first evening → its round → a player → the leaderboard, by links.
    const page = await open('/sessions');
    const evenings = page.locator('tbody tr');
    await expect.poll(() => evenings.count()).toBe(2);
    await page.locator('a', { hasText: 'Wed, 19 Aug 2026' }).click();
    await expect.poll(() => page.locator('h1').textContent(), { timeout: 10_000 }).toContain('Wed, 19 Aug 2026');
    await expect.poll(() => page.locator('.score').textContent(), { timeout: 10_000 }).toContain('4 : 2');
    await expect.poll(() => page.locator('.maps li').count(), { timeout: 10_000 }).toBe(3);

    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    try {
      const supplyR1 = (
        await admin.query("select round_id from read.rounds where file_name like '%214136-supply-round-1.txt'")
      ).rows[0].round_id;
      await page.locator(`a[href="/rounds/${supplyR1}"]`).first().click();
      await expect.poll(() => page.locator('h1').textContent(), { timeout: 10_000 }).toBe('supply · round 1');
      // Stats first, the Lua report in a later ingest: the history says what changed it.
      await expect.poll(() => page.locator('.history li').count(), { timeout: 10_000 }).toBe(2);
      await expect
        .poll(() => page.locator('.history li').nth(1).textContent(), { timeout: 10_000 })
        .toContain('corrected by a late Lua report');
      await expect.poll(() => page.locator('.panel').textContent(), { timeout: 10_000 }).toContain('ALIGNED');
      await expect.poll(() => page.locator('.panel').textContent(), { timeout: 10_000 }).toContain('9:03');
      const lines = (
        await admin.query('select count(*)::int as n from read.player_stats where round_id = $1', [supplyR1])
      ).rows[0].n;
      await expect
        .poll(() => page.locator('tr.team-1 td.name a, tr.team-2 td.name a').count(), { timeout: 10_000 })
        .toBe(lines);
      await page.screenshot({ path: join(artifacts, 'round-1280.png'), fullPage: true });
      await page.setViewportSize({ width: 390, height: 844 });
      await page.screenshot({ path: join(artifacts, 'round-390.png'), fullPage: true });

      await page.locator('a', { hasText: 'bramble' }).first().click();
      await expect.poll(() => page.locator('h1').textContent(), { timeout: 10_000 }).toContain('bramble');
      const expected = (
        await admin.query(
          `select count(distinct p.round_id)::int as rounds, sum(p.damage_given)::int as damage
           from read.player_stats p where p.guid8 = 'C08D3E6A'`,
        )
      ).rows[0];
      await page.locator('select[name=period]').selectOption('all');
      await page.locator('form.filters button').click();
      await expect
        .poll(() => page.locator('[data-field=rounds]').textContent(), { timeout: 10_000 })
        .toBe(String(expected.rounds));
      await expect
        .poll(() => page.locator('[data-field=damage]').textContent(), { timeout: 10_000 })
        .toBe(String(expected.damage));
      await expect.poll(() => page.locator('svg[role=img]').count(), { timeout: 10_000 }).toBe(1);
      await expect.poll(() => page.locator('table').last().textContent(), { timeout: 10_000 }).toContain('supply');

      await page.goto(`${web.url}/leaderboard?metric=kills&period=all`);
      const top = (
        await admin.query(
          `select guid8, sum(kills)::int as kills from read.player_stats group by guid8 order by kills desc, guid8 limit 1`,
        )
      ).rows[0];
      await expect
        .poll(() => page.locator('tbody tr').first().textContent(), { timeout: 10_000 })
        .toContain(String(top.kills));
      await expect
        .poll(() => page.locator(`tbody tr`).first().locator('a').getAttribute('href'))
        .toBe(`/players/${top.guid8}`);
    } finally {
      await admin.end();
    }
    const bad = await fetch(`${web.url}/leaderboard?period=yesterday`);
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain('period must be');
    expect((await fetch(`${web.url}/sessions?limit=100000`)).status).toBe(400);
    expect((await fetch(`${web.url}/rounds/not-a-round`)).status).toBe(400);
    expect((await fetch(`${web.url}/rounds/00000000-0000-0000-0000-000000000000`)).status).toBe(404);
    await page.close();
  }, 120_000);

  it('shows hostile names as written and runs none of them', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'etl-web-hostile-'));
    await ingest('--server', 'evil', hostileStatsFile(dir));
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    const roundId = (await admin.query("select round_id from read.rounds where server_id = 'evil'")).rows[0].round_id;
    await admin.end();
    const pwned = (p: Page) => p.evaluate(() => (globalThis as unknown as InPage).__pwned ?? null);
    for (const path of ['/', `/rounds/${roundId}`, '/sessions', '/leaderboard?period=all&metric=kills']) {
      const page = await open(path);
      await page.waitForLoadState('load');
      expect(await pwned(page), path).toBeNull();
      expect(await page.locator('img').count(), path).toBe(0);
      const text = await page.locator('main').textContent();
      if (path !== '/sessions') expect(text, path).toContain('<script>window.__pwned=1</script>');
      if (path !== '/sessions') expect(text, path).toContain('"><img src=x onerror="window.__pwned=2">');
      expect(await page.locator('a[href^="javascript:"]').count(), path).toBe(0);
      await page.close();
    }
    const raw = await (await fetch(`${web.url}/rounds/${roundId}`)).text();
    expect(raw).not.toContain('<script>window');
    expect(raw).toContain('&lt;script&gt;window.__pwned=1&lt;/script&gt;');
    expect(raw).toContain('<bdi>\u202eevil@everyone</bdi>');
  }, 120_000);
});
