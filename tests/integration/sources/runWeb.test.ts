// `et-ledger run` with ET_LEDGER_WEB_PORT on the embedded store (PGlite is one process, so the
// service serves the pages itself): a page's live stream shows a round dropped into the watched
// folder, with no reload, and SIGTERM still stops everything with exit code 0.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { binPath } from '../../support/cli.ts';
import { freshPgliteDir } from '../../support/databases.ts';
import { waitFor } from './support.ts';

const sample = (name: string) => fileURLToPath(new URL(`../../../samples/stats/${name}`, import.meta.url));

describe('et-ledger run with ET_LEDGER_WEB_PORT (PGlite)', () => {
  it('serves the pages and streams a new round to an open page', async () => {
    const watched = mkdtempSync(join(tmpdir(), 'etl-run-web-'));
    copyFileSync(sample('2026-08-19-214136-supply-round-1.txt'), join(watched, '2026-08-19-214136-supply-round-1.txt'));
    const child = spawn(process.execPath, [binPath, 'run', '--store', `pglite:${freshPgliteDir()}`], {
      env: {
        ...process.env,
        ET_LEDGER_STORE: undefined,
        ET_LEDGER_LOG_LEVEL: 'info',
        ET_LEDGER_SERVER_ID: 'eu1',
        ET_LEDGER_TZ: 'Europe/Ljubljana',
        ET_LEDGER_WATCH_DIR: watched,
        ET_LEDGER_HTTP_PORT: '0',
        ET_LEDGER_WEB_PORT: '0',
      } as NodeJS.ProcessEnv,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    child.stdout.resume();
    try {
      const url = await waitFor(
        'the web pages',
        () => {
          if (child.exitCode !== null) throw new Error(`run exited early:\n${stderr}`);
          return /"url":"(http:\/\/127\.0\.0\.1:\d+)","msg":"web pages are up"/.exec(stderr)?.[1];
        },
        60_000,
      );
      await waitFor(
        'the first round on Tonight',
        async () => (await (await fetch(`${url}/`)).text()).includes('supply R1'),
        30_000,
      );

      // A page's live stream, then a new round in the folder: the stream carries it.
      const stream = await fetch(`${url}/live`, { headers: { 'Last-Event-ID': 'x.0' } });
      expect(stream.headers.get('content-type')).toContain('text/event-stream');
      const reader = stream.body!.getReader();
      let seen = '';
      const read = async (): Promise<void> => {
        const { value, done } = await reader.read();
        if (done) throw new Error(`the stream ended: ${seen}`);
        seen += new TextDecoder().decode(value);
      };
      while (!seen.includes('event: tonight')) await read(); // what the page missed: the current section
      seen = '';
      copyFileSync(
        sample('2026-08-19-214737-supply-round-2.txt'),
        join(watched, '2026-08-19-214737-supply-round-2.txt'),
      );
      while (!/event: tonight\ndata: .*supply R2/.test(seen)) await read();
      expect(seen).toMatch(/id: [0-9a-z]+\.\d+/);
      await reader.cancel();
    } finally {
      child.kill('SIGTERM');
      const [code] = child.exitCode !== null ? [child.exitCode] : ((await once(child, 'exit')) as [number | null]);
      expect(code, stderr).toBe(0);
    }
  }, 120_000);
});
