// `et-ledger demo --web` on the embedded store, as a newcomer runs it: the sample evening's pages
// come up, answer, and the command stops cleanly on SIGTERM. `web` never creates a store.
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { binPath, runCli } from '../support/cli.ts';

describe('et-ledger demo --web and web', () => {
  it('serves the sample evening from an embedded store until SIGTERM', async () => {
    const child = spawn(process.execPath, [binPath, 'demo', '--web', '--port', '0'], {
      env: { ...process.env, ET_LEDGER_STORE: undefined, ET_LEDGER_LOG_LEVEL: 'warn' } as NodeJS.ProcessEnv,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /pages: (http:\/\/127\.0\.0\.1:\d+)\//.exec(out);
        if (m) resolve(m[1]!);
      });
      void exited.then((code) => reject(new Error(`demo exited ${code} before serving: ${err}`)));
    });
    const tonight = await (await fetch(`${url}/`)).text();
    expect(tonight).toContain('bremen_b3');
    expect(tonight).toContain('ET:Legacy Slomix Cup');
    const sessions = await (await fetch(`${url}/sessions`)).text();
    expect(sessions.match(/<tr>/g)?.length).toBe(3); // a header row and two evenings
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(err).not.toMatch(/\n\s+at /); // no stack trace
  }, 120_000);

  it('refuses a PGlite folder that holds no store instead of creating one', async () => {
    const r = await runCli(['web', '--store', 'pglite:/nonexistent/et-ledger/x', '--port', '0']);
    expect(r.code).toBe(1); // STORE_MISSING, as every read command
    expect(r.stderr).toContain('there is no et-ledger store in /nonexistent/et-ledger/x');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('names the variable of a bad web setting', async () => {
    const r = await runCli(['web', '--port', '99999']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('ET_LEDGER_WEB_PORT (or --port) = "99999": must be a port from 0 to 65535');
  });
});
