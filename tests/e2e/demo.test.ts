// `et-ledger demo`, the first command a newcomer runs: the real executable, the bundled samples.
import { readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.ts';

const demoFolders = () => readdirSync(tmpdir()).filter((f) => f.startsWith('et-ledger-demo-'));

describe('et-ledger demo', () => {
  it('shows the posts and verdicts of the sample evening, and leaves nothing behind', async () => {
    const before = new Set(demoFolders());
    const r = await runCli(['demo']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = r.stdout;
    // supply R2: a surrender after 4:25 of fighting (265 s), ALIGNED with the Lua clock.
    const supplyR2 = out.split('\n').find((l) => /supply\s+2\s+ALIGNED/.test(l));
    expect(supplyR2).toMatch(/4:25 \(265 s\).*surrender/);
    expect(out).toMatch(/supply · round 2\n\s+Fighting time 4:25 \(Lua\)\n\s+Result Axis won · surrender/);
    // The aborted te_escape2 (admin map_restart at 3:10) is LUA_ONLY, for the dev channel only.
    expect(out).toMatch(/te_escape2\s+1\s+LUA_ONLY\s.*suspectedAbort/);
    expect(out).toContain('Timing · te_escape2 · round 1 · LUA_ONLY');
    expect(out).not.toMatch(/#rounds \(production\) · te_escape2 R1 · 2026-08-19 22:09/);
    expect(out).not.toMatch(/\{"level"/);
    // Each map's result and the evening's score by logical team (issue 20).
    expect(out).toMatch(/supply\s+set\s+9:03\s+R2\s+4:25\s+held → Team bramble/);
    expect(out).toMatch(/te_escape2\s+set 12:00\s+R2\s+9:48\s+beaten → Team Vektor/);
    expect(out).toContain('score: Team bramble 4 – 2 Team Vektor');
    expect(demoFolders().filter((f) => !before.has(f))).toEqual([]);
  });
});
