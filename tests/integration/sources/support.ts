// Helpers for the source tests: facts to deliver, a log that tests can read, waiting without sleeps
// in assertions, and a PostgreSQL ledger per test.

import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { createServer } from 'node:net';
import pino from 'pino';
import { expect } from 'vitest';
import type { Logger } from '../../../src/logger.ts';
import { type Ledger, openLedger } from '../../../src/store/openStore.ts';
import { freshPostgresUrl } from '../../support/databases.ts';

const fixture = (name: string) => readFileSync(new URL(`../../fixtures/lua/${name}`, import.meta.url), 'utf8');

/** A stats file the identifier recognises (header: ≥ 8 backslash fields, round 1), padded to about `size` bytes. */
export function statsFile(tag: string, size = 0): Buffer {
  const header = `^1Test ^7Server ${tag}\\supply\\etl_cfg\\1\\1\\2\\10:00\\8:12\n`;
  const row = `0123456789ABCDEF\\0\\1\\0\\Vektor ${tag}\\1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20\n`;
  const rows = Math.max(1, Math.ceil((size - header.length) / row.length));
  return Buffer.from(header + row.repeat(rows), 'latin1');
}

/** Our round report for `server`, ending at `endUnix` (the spec's example otherwise). */
export function ownRoundReport(
  server: string,
  endUnix: number,
  change: (r: Record<string, unknown>) => void = () => {},
): Buffer {
  const r = JSON.parse(fixture('round1-spec-example.json')) as Record<string, unknown>;
  r.server = server;
  r.roundEndUnix = endUnix;
  r.roundStartUnix = endUnix - 621;
  r.id = `${server}:supply:1:${endUnix}`;
  r.pauses = [];
  change(r);
  return Buffer.from(JSON.stringify(r));
}

export const legacyBody = (): Buffer => Buffer.from(fixture('legacy-open-pause.json'));

export type CapturedLog = { log: Logger; lines: Record<string, unknown>[]; messages: (level?: number) => string[] };

/** A pino logger that keeps every line (as parsed JSON) for assertions. */
export function captureLog(): CapturedLog {
  const lines: Record<string, unknown>[] = [];
  const log = pino(
    { level: 'debug' },
    {
      write(s: string) {
        lines.push(JSON.parse(s) as Record<string, unknown>);
      },
    },
  );
  return {
    log,
    lines,
    messages: (level = 0) => lines.filter((l) => Number(l.level) >= level).map((l) => String(l.msg)),
  };
}

/** Polls `probe` until it returns something other than undefined/false. */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function freePort(): Promise<number> {
  const probe = createServer();
  probe.listen(0, '127.0.0.1');
  await once(probe, 'listening');
  const { port } = probe.address() as AddressInfo;
  probe.close();
  await once(probe, 'close');
  return port;
}

export async function openPostgresLedger(label: string): Promise<Ledger> {
  return openLedger({ kind: 'postgres', url: await freshPostgresUrl(label) });
}

export type FactRow = { type: string; stream_id: string; data: Record<string, unknown>; raw: Buffer | null };

export async function facts(ledger: Ledger, type?: string): Promise<FactRow[]> {
  const r = await ledger.db.query<FactRow>(
    `select type, stream_id, data, raw from ledger.events ${type ? 'where type = $1' : ''} order by position`,
    type ? [type] : [],
  );
  return r.rows;
}

/** No fact, in its bytes or its data, holds `secret` (the content of a file a link pointed at). */
export function expectNoFactHolds(all: { raw?: Buffer | null; data: unknown }[], secret: string): void {
  for (const f of all) {
    expect(f.raw?.includes(secret) ?? false).toBe(false);
    expect(JSON.stringify(f.data)).not.toContain(secret);
  }
}
