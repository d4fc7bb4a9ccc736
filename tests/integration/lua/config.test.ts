// The config file beside the script (spec/lua-report.md, delivery step 4) and the spool's cap, run by real Lua 5.4.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  hasLua,
  linesMatching,
  newServerDir,
  readSpool,
  removeServerDirs,
  runScenario,
  writeConfig,
} from './luaHarness.ts';
import { roundReports } from './reportSchema.ts';

afterAll(removeServerDirs);

describe.skipIf(!hasLua)('et-ledger.lua config and spool', () => {
  it('without a config warns once per init (naming et-ledger and config) and still spools as server "default"', async () => {
    const run = await runScenario('normal');
    expect(run.exitCode).toBe(0);
    const inits = linesMatching(run.log, /et-ledger: 1\.1\.0 loaded/);
    const warnings = linesMatching(run.log, /config/);
    expect(inits).toHaveLength(3);
    expect(warnings).toHaveLength(inits.length);
    for (const w of warnings) expect(w).toMatch(/^et-ledger: no config file .*et-ledger\.config\.lua.*not posted$/);
    const [report] = roundReports(run.files);
    expect(report!.id).toBe('default:supply:1:1787168493');
  });

  it('warns once about unknown keys and wrong types, and uses the keys that are right', async () => {
    const dir = newServerDir();
    writeConfig(dir, 'return { server = "eu2", urls = "http://x", spoolCap = 2.5, colour = "red", timeoutSec = 5 }');
    const run = await runScenario('shutdown', { dir });
    const warnings = linesMatching(run.log, /config/);
    expect(warnings).toHaveLength(linesMatching(run.log, /et-ledger: 1\.1\.0 loaded/).length); // one per init
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toMatch(/^et-ledger: config .*et-ledger\.config\.lua: /);
    expect(warnings[0]).toContain("unknown key 'colour' ignored");
    expect(warnings[0]).toContain("'urls' must be a table, ignored");
    expect(warnings[0]).toContain("'spoolCap' must be a whole number >= 1, ignored");
    const [report] = roundReports(run.files);
    expect(report!.server).toBe('eu2');
  });

  it('warns about a config that does not compile or names a bad server, and falls back to "default"', async () => {
    const broken = newServerDir();
    writeConfig(broken, 'return { server = ');
    const run1 = await runScenario('shutdown', { dir: broken });
    expect(linesMatching(run1.log, /et-ledger: config .*cannot be read/)).toHaveLength(2); // two inits
    expect(roundReports(run1.files)[0]!.server).toBe('default');

    const badServer = newServerDir();
    writeConfig(badServer, 'return { server = "eu 1/../x" }');
    const run2 = await runScenario('shutdown', { dir: badServer });
    expect(linesMatching(run2.log, /et-ledger: config .*'server' must be/)).toHaveLength(2);
    expect(roundReports(run2.files)[0]!.server).toBe('default');
  });

  it('spools to spoolDir when the config names one', async () => {
    const dir = newServerDir();
    const spoolDir = join(dir, 'custom', 'spool');
    writeConfig(dir, `return { server = "eu3", spoolDir = ${JSON.stringify(spoolDir)} }`);
    const run = await runScenario('shutdown', { dir });
    expect(run.files).toEqual([]);
    expect(roundReports(readSpool(spoolDir))[0]!.server).toBe('eu3');
  });

  it('drops the oldest report with a log line when the spool is at its cap', async () => {
    const dir = newServerDir();
    writeConfig(dir, 'return { server = "eu1", spoolCap = 3 }');
    const run = await runScenario('spool-cap', { dir, args: ['4'] });
    expect(run.exitCode).toBe(0);
    const maps = roundReports(run.files).map((r) => r.map);
    expect(maps).toEqual(['map2', 'map3', 'map4']);
    const drops = linesMatching(run.log, /spool at its cap/);
    expect(drops).toHaveLength(1);
    expect(drops[0]).toMatch(
      /^et-ledger: spool at its cap \(3\): dropped the oldest report \S+-map1-round-1\.lua\.json$/,
    );
    const queue = readFileSync(join(run.spoolDir, '.queue-27960'), 'utf8').trim().split('\n');
    expect(queue.map((l) => l.split(' ')[0])).toEqual(run.files.map((f) => f.name));
  });
});
