// Cost of lua/et-ledger.lua per server frame: et_RunFrame in a running round with 64 clients (round report /2:
// per-player time counted, every slot read once per 900 ms of levelTime, spread over the frames), timed in-process
// with os.clock by the real Lua 5.4 (lua/harness/scenarios/bench.lua), next to an empty et_RunFrame on the same
// simulated engine path in the same run; plus the frame distribution (p99, max), the Lua garbage per frame, and
// the one-off intermission frame (report, spool write, queue). Run: npm run bench -- lua
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { table, tempDir } from './support.ts';

const FRAMES = 40_000;
const CLIENTS = 64;
const FRAME_BUDGET_US = 25_000; // sv_fps 40
const LIMIT_SHARE = 1; // %: the spec's budget for the script with 64 clients

type BenchResult = {
  frames: number;
  players: number;
  scriptUsPerFrame: number;
  emptyUsPerFrame: number;
  scriptP99Us: number;
  scriptMaxUs: number;
  emptyP99Us: number;
  emptyMaxUs: number;
  garbageKiBPer4000Frames: { script: number; empty: number };
  intermissionFrameMs: number;
};

const share = (us: number, digits = 4) => `${((us / FRAME_BUDGET_US) * 100).toFixed(digits)} %`;

export async function run(): Promise<void> {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const tmp = tempDir('lua');
  try {
    const r = spawnSync(
      'lua5.4',
      [join(root, 'lua/harness/run.lua'), 'bench', tmp.dir, String(FRAMES), String(CLIENTS)],
      { encoding: 'utf8', env: { ...process.env, TZ: 'UTC' } },
    );
    if (r.error || r.status !== 0) {
      console.error(`lua5.4 bench failed: ${r.error?.message ?? r.stderr}`);
      process.exitCode = 1;
      return;
    }
    const line = r.stdout.split('\n').find((l) => l.startsWith('{'));
    const b = JSON.parse(line ?? '{}') as BenchResult;
    const scriptOnly = b.scriptUsPerFrame - b.emptyUsPerFrame;
    table([
      { case: 'empty et_RunFrame', 'µs/frame': b.emptyUsPerFrame, 'share of 25 ms': '' },
      {
        case: `et-ledger.lua, ${b.players} clients`,
        'µs/frame': b.scriptUsPerFrame,
        'share of 25 ms': share(b.scriptUsPerFrame),
      },
      { case: 'et-ledger.lua minus empty', 'µs/frame': scriptOnly, 'share of 25 ms': share(scriptOnly) },
      {
        case: 'p99 frame, empty / script',
        'µs/frame': `${b.emptyP99Us} / ${b.scriptP99Us}`,
        'share of 25 ms': share(b.scriptP99Us),
      },
      {
        case: 'max frame, empty / script',
        'µs/frame': `${b.emptyMaxUs} / ${b.scriptMaxUs}`,
        'share of 25 ms': share(b.scriptMaxUs, 2),
      },
      {
        case: 'intermission frame (report)',
        'µs/frame': b.intermissionFrameMs * 1000,
        'share of 25 ms': share(b.intermissionFrameMs * 1000, 2),
      },
    ]);
    const extraKiB = b.garbageKiBPer4000Frames.script - b.garbageKiBPer4000Frames.empty;
    console.log(
      `ratio script/empty: ${(b.scriptUsPerFrame / b.emptyUsPerFrame).toFixed(2)}x over ${b.frames} frames each (40 Hz frame budget 25 ms); ` +
        `Lua garbage of the script beyond the engine's: ${extraKiB.toFixed(3)} KiB per 4000 frames; ` +
        `max frames are the OS and the collector (the empty frame's max is of the same order)`,
    );
    const pct = (b.scriptUsPerFrame / FRAME_BUDGET_US) * 100;
    console.log(
      pct < LIMIT_SHARE
        ? `within budget: ${pct.toFixed(4)} % < ${LIMIT_SHARE} % of a 25 ms frame with ${b.players} clients`
        : `OVER BUDGET: ${pct.toFixed(4)} % ≥ ${LIMIT_SHARE} % of a 25 ms frame with ${b.players} clients`,
    );
    if (pct >= LIMIT_SHARE) process.exitCode = 1;
  } finally {
    tmp.remove();
  }
}
