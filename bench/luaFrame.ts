// Cost of lua/et-ledger.lua per server frame: et_RunFrame in a running round with 32 players, timed in-process
// with os.clock by the real Lua 5.4 (lua/harness/scenarios/bench.lua), next to an empty et_RunFrame on the same
// simulated engine path in the same run; plus the one-off intermission frame (report, spool write, queue).
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { table, tempDir } from './support.ts';

const FRAMES = 40_000;
const FRAME_BUDGET_US = 25_000; // sv_fps 40

type BenchResult = {
  frames: number;
  players: number;
  scriptUsPerFrame: number;
  emptyUsPerFrame: number;
  intermissionFrameMs: number;
};

export async function run(): Promise<void> {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const tmp = tempDir('lua');
  try {
    const r = spawnSync('lua5.4', [join(root, 'lua/harness/run.lua'), 'bench', tmp.dir, String(FRAMES)], {
      encoding: 'utf8',
      env: { ...process.env, TZ: 'UTC' },
    });
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
        case: `et-ledger.lua, ${b.players} players`,
        'µs/frame': b.scriptUsPerFrame,
        'share of 25 ms': `${((b.scriptUsPerFrame / FRAME_BUDGET_US) * 100).toFixed(4)} %`,
      },
      {
        case: 'et-ledger.lua minus empty',
        'µs/frame': scriptOnly,
        'share of 25 ms': `${((scriptOnly / FRAME_BUDGET_US) * 100).toFixed(4)} %`,
      },
      {
        case: 'intermission frame (report)',
        'µs/frame': b.intermissionFrameMs * 1000,
        'share of 25 ms': `${((b.intermissionFrameMs * 1000 * 100) / FRAME_BUDGET_US).toFixed(2)} %`,
      },
    ]);
    console.log(
      `ratio script/empty: ${(b.scriptUsPerFrame / b.emptyUsPerFrame).toFixed(2)}x over ${b.frames} frames each (40 Hz frame budget 25 ms)`,
    );
  } finally {
    tmp.remove();
  }
}
