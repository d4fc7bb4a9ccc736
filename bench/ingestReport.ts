// What the ingest bench prints (bench/ingest.ts): the figures beside the targets, the floor, each
// projection's rate and the scaling from the smallest size to the largest.
import type { Floor, FloorTable } from './copyFloor.ts';
import { SHAPES, type Shape } from './historyShapes.ts';
import { table } from './support.ts';

const TARGET_S_AT_100K = 60;
const TARGET_RSS_MB = 400;
const TARGET_SCALING = 0.9;
const TARGET_REBUILD_S_AT_100K = 45;

export type Case = { shape: Shape; rounds: number; store: 'postgres' | 'pglite' };
export type ProjectionRate = { name: string; events: number; seconds: number; first: number; last: number };
export type Result = Case & {
  seconds: number;
  appendSeconds: number;
  projectSeconds: number;
  generateSeconds: number;
  rssBeforeMb: number;
  peakRssMb: number;
  /** V8's heap and the memory outside it (Buffers) at the highest RSS sample */
  peakHeapMb: number;
  peakExternalMb: number;
  maxHeapMb: number;
  counts: Record<string, number>;
  span: string;
  projections: ProjectionRate[];
  /** `et-ledger rebuild NAME` after the ingest (BENCH_INGEST_REBUILD), its followers included. */
  rebuilds: { name: string; seconds: number }[];
  floor: Floor | null;
};

export const floorSeconds = (tables: FloorTable[]) => tables.reduce((s, t) => s + t.seconds, 0);
const met = (ok: boolean) => (ok ? 'met' : 'NOT met');

export function report(results: Result[], sizes: number[]): void {
  if (results.length === 0) return;
  console.log('\ningest of generated histories (12 players a round; identifyFact → append → every projection)\n');
  table(
    results.map((r) => {
      const targetS = (TARGET_S_AT_100K * r.rounds) / 100_000;
      const floor = r.floor ? floorSeconds(r.floor.readModels) : null;
      return {
        shape: r.store === 'postgres' ? r.shape : `${r.shape} (PGlite)`,
        rounds: r.rounds,
        seconds: r.seconds,
        'rounds/s': Math.round(r.rounds / r.seconds),
        [`target s (${TARGET_S_AT_100K} per 100k)`]: `≤ ${targetS.toFixed(1)} ${met(r.seconds <= targetS)}`,
        'peak RSS MB': Math.round(r.peakRssMb),
        [`≤ ${TARGET_RSS_MB} MB`]: met(r.peakRssMb <= TARGET_RSS_MB),
        'floor s': floor ?? '',
        ratio: floor ? r.seconds / floor : '',
      };
    }),
  );
  console.log(
    '\nfloor: COPY (binary) of the same read-model rows into empty twins of the same tables (keys, indexes);' +
      ' ratio = seconds ÷ floor s\n',
  );
  table(
    results.map((r) => {
      const logFloor = r.floor ? floorSeconds(r.floor.readModels) + floorSeconds(r.floor.log) : null;
      const rows = r.floor ? r.floor.readModels.reduce((s, t) => s + t.rows, 0) : null;
      return {
        shape: r.store === 'postgres' ? r.shape : `${r.shape} (PGlite)`,
        rounds: r.rounds,
        history: r.span,
        'append s': r.appendSeconds,
        'project s': r.projectSeconds,
        'generate s (untimed)': r.generateSeconds,
        'RSS before MB': Math.round(r.rssBeforeMb),
        'RSS growth MB': Math.round(r.peakRssMb - r.rssBeforeMb),
        'read-model rows': rows ?? '',
        'floor + log s': logFloor ?? '',
        'ratio (with log)': logFloor ? r.seconds / logFloor : '',
        verdicts: r.counts.verdicts ?? '',
      };
    }),
  );
  for (const r of results.filter((x) => x.floor)) {
    const top = [...r.floor!.readModels, ...r.floor!.log].sort((a, b) => b.seconds - a.seconds).slice(0, 5);
    console.log(
      `  floor ${r.shape} ${r.rounds}: ${top.map((t) => `${t.table} ${t.rows} rows ${(t.bytes / 1e6).toFixed(0)} MB ${t.seconds.toFixed(2)} s`).join('; ')}`,
    );
  }
  console.log('\nper projection (side by side: each its own wall time; positions of the log read per second)\n');
  table(
    results.flatMap((r) =>
      r.projections.map((p) => ({
        shape: r.store === 'postgres' ? r.shape : `${r.shape} (PGlite)`,
        rounds: r.rounds,
        projection: p.name,
        positions: p.events,
        seconds: p.seconds,
        'pos/s': Math.round(p.events / p.seconds),
        'pos/s first 20 %': Math.round(p.first),
        'pos/s last 20 %': Math.round(p.last),
        'last ÷ first': p.first > 0 ? p.last / p.first : '',
      })),
    ),
  );
  const rebuilds = results.flatMap((r) =>
    r.rebuilds.map((b) => {
      const target = (TARGET_REBUILD_S_AT_100K * r.rounds) / 100_000;
      return {
        shape: r.shape,
        rounds: r.rounds,
        rebuild: b.name,
        seconds: b.seconds,
        'rounds/s': Math.round(r.rounds / b.seconds),
        'target s (45 per 100k)': `≤ ${target.toFixed(1)} ${met(b.seconds <= target)}`,
      };
    }),
  );
  if (rebuilds.length > 0) {
    console.log('\nrebuild after the ingest (a fresh build from position 0 with its followers, then the swap)\n');
    table(rebuilds);
  }
  const small = Math.min(...sizes);
  const large = Math.max(...sizes);
  if (small === large) return;
  console.log(
    `\nscaling: rounds/s (ingest) and positions/s (each projection) at ${large} ÷ at ${small}` +
      ` (target ≥ ${TARGET_SCALING}: no decline)\n`,
  );
  const at = (shape: Shape, n: number) =>
    results.find((r) => r.store === 'postgres' && r.shape === shape && r.rounds === n);
  const rows: Record<string, string | number>[] = [];
  const row = (shape: Shape, what: string, a: number, b: number) =>
    rows.push({
      shape,
      what,
      [`at ${small}`]: Math.round(a),
      [`at ${large}`]: Math.round(b),
      ratio: b / a,
      [`≥ ${TARGET_SCALING}`]: met(b / a >= TARGET_SCALING),
    });
  for (const shape of SHAPES) {
    const a = at(shape, small);
    const b = at(shape, large);
    if (!a || !b) continue;
    row(shape, 'ingest (rounds/s)', a.rounds / a.seconds, b.rounds / b.seconds);
    for (const p of a.projections) {
      const q = b.projections.find((x) => x.name === p.name);
      if (q) row(shape, p.name, p.events / p.seconds, q.events / q.seconds);
    }
  }
  table(rows);
}
