// Cross-language: the HMAC-SHA256 the script computes in pure Lua 5.4 equals Node's, and a report the script
// spooled verifies with the receiver's verifier (src/sources/reportSignature.ts).
import { spawnSync } from 'node:child_process';
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { verifyReportSignature } from '../../../src/sources/reportSignature.ts';
import { harnessDir, hasLua, LUA, newServerDir, removeServerDirs, runScenario, writeConfig } from './luaHarness.ts';
import { rfc4231 } from './rfc4231.ts';

function luaDigests(lines: string[]): string[] {
  const r = spawnSync(LUA, [join(harnessDir, 'hmac.lua')], { input: `${lines.join('\n')}\n`, encoding: 'utf8' });
  expect(r.stderr).toBe('');
  return r.stdout.trim().split('\n');
}
const hexOrDash = (b: Buffer) => (b.length === 0 ? '-' : b.toString('hex'));

afterAll(removeServerDirs);

describe.skipIf(!hasLua)('pure-Lua HMAC-SHA256 against Node', () => {
  it('passes the RFC 4231 test vectors', () => {
    const out = luaDigests(rfc4231.map((v) => `hmac ${v.keyHex} ${v.dataHex}`));
    rfc4231.forEach((v, i) => {
      expect(v.truncated ? out[i]!.slice(0, v.macHex.length) : out[i], v.name).toBe(v.macHex);
    });
  });

  it('agrees with node:crypto on SHA-256 and HMAC at every padding boundary and for random inputs', () => {
    const lengths = [0, 1, 54, 55, 56, 57, 63, 64, 65, 119, 120, 127, 128, 129, 1000, 4097];
    const cases: { key: Buffer; data: Buffer }[] = [];
    for (const n of lengths) cases.push({ key: randomBytes(32), data: randomBytes(n) });
    for (const k of [0, 1, 63, 64, 65, 200]) cases.push({ key: randomBytes(k), data: randomBytes(100) });
    const lines = cases.flatMap(({ key, data }) => [
      `sha256 - ${hexOrDash(data)}`,
      `hmac ${hexOrDash(key)} ${hexOrDash(data)}`,
    ]);
    const out = luaDigests(lines);
    cases.forEach(({ key, data }, i) => {
      expect(out[2 * i], `sha256 of ${data.length} bytes`).toBe(createHash('sha256').update(data).digest('hex'));
      expect(out[2 * i + 1], `hmac key ${key.length} data ${data.length}`).toBe(
        createHmac('sha256', key).update(data).digest('hex'),
      );
    });
  });

  it('signs a spooled report so that the Node verifier accepts it, and rejects it once a byte changes', async () => {
    const dir = newServerDir();
    writeConfig(dir, 'return { server = "eu1", secret = "correct horse battery staple", urls = {} }');
    const run = await runScenario('hostile-names', { dir });
    const [file] = run.files;
    const t = 1787174321;
    const sign = spawnSync(
      LUA,
      [join(harnessDir, 'sign.lua'), join(run.spoolDir, file!.name), 'correct horse battery staple', String(t)],
      {
        encoding: 'utf8',
      },
    );
    const header = sign.stdout.trim();
    expect(header).toMatch(/^t=1787174321,v1=[0-9a-f]{64}$/);
    const server = (file!.json as { server: string }).server;
    const secretFor = (s: string) => (s === 'eu1' ? 'correct horse battery staple' : undefined);
    expect(verifyReportSignature({ header, body: file!.bytes, server, secretFor, nowUnix: t + 10 })).toEqual({
      ok: true,
    });
    const tampered = Buffer.from(file!.bytes);
    tampered[tampered.length - 3] = tampered[tampered.length - 3]! ^ 1;
    expect(verifyReportSignature({ header, body: tampered, server, secretFor, nowUnix: t })).toEqual({
      ok: false,
      reason: 'bad_signature',
    });
  });
});
