// npm run bench -- parse: files/s and MB/s of parseStatsFile over generated stats files (R1 and R2,
// 4–20 players, one in five with hostile names), next to a baseline in the same run: decoding the same
// bytes with Buffer.toString and splitting on LF and TAB. Target: ≥ 100 MB/s. With SLOMIX_DIR set
// to a checkout of iamez/slomix, the reference Python reader (bot/community_stats_parser.py) reads
// the same files too (bench/referenceReader.py) and the ratio is printed.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseStatsFile } from '../src/parser/statsFile.ts';
import { generateStatsCorpus } from '../tests/support/statsFileGenerator.ts';
import { table, tempDir } from './support.ts';

type File = { fileName: string; bytes: Uint8Array };

function parseAll(files: File[]): number {
  let players = 0;
  for (const f of files) {
    const r = parseStatsFile(f.bytes, f.fileName);
    if (r.ok) players += r.round.players.length;
  }
  return players;
}

function splitAll(files: File[]): number {
  let fields = 0;
  for (const f of files) {
    const text = Buffer.from(f.bytes.buffer, f.bytes.byteOffset, f.bytes.byteLength).toString('utf8');
    for (const line of text.split('\n')) fields += line.split('\t').length;
  }
  return fields;
}

type Tally = { seconds: number; passes: number; sink: number };

/** Whole passes over the corpus until `ms` have elapsed. */
function measure(files: File[], work: (files: File[]) => number, ms: number, into: Tally): void {
  const t0 = process.hrtime.bigint();
  let elapsed = 0;
  while (elapsed < ms) {
    into.sink += work(files);
    into.passes++;
    elapsed = Number(process.hrtime.bigint() - t0) / 1e6;
  }
  into.seconds += elapsed / 1000;
}

export async function run(): Promise<void> {
  const files = generateStatsCorpus(400, 20260819);
  const bytes = files.reduce((s, f) => s + f.bytes.length, 0);
  if (parseAll(files) === 0) throw new Error('the generated corpus parsed to no players');

  const warm: Tally = { seconds: 0, passes: 0, sink: 0 };
  measure(files, parseAll, 500, warm); // let the JIT settle before timing
  measure(files, splitAll, 500, warm);
  // Interleaved slices, so that both see the same load on a shared machine.
  const parse: Tally = { seconds: 0, passes: 0, sink: 0 };
  const split: Tally = { seconds: 0, passes: 0, sink: 0 };
  while (parse.seconds < 2.5 || split.seconds < 2.5) {
    measure(files, parseAll, 100, parse);
    measure(files, splitAll, 100, split);
  }
  const rows = [
    { name: 'parseStatsFile', ...parse },
    { name: 'baseline: toString + split LF/TAB', ...split },
  ].map(({ name, seconds, passes }) => ({
    name,
    'files/s': Math.round((files.length * passes) / seconds),
    'MB/s': (bytes * passes) / seconds / 1e6,
    seconds,
  }));
  const base = rows[1]!['MB/s'];
  console.log(
    `${files.length} files, ${(bytes / 1e6).toFixed(2)} MB (mean ${Math.round(bytes / files.length)} B/file)`,
  );
  table(rows.map((r) => ({ ...r, 'vs baseline': `${(r['MB/s'] / base).toFixed(2)}×` })));
  const reference = referenceReader(files);
  if (reference)
    console.log(
      `\nreference reader (iamez/slomix, Python): ${Math.round(reference.filesPerSec)} files/s, ${reference.mbPerSec.toFixed(1)} MB/s` +
        ` → parseStatsFile is ${(rows[0]!['MB/s'] / reference.mbPerSec).toFixed(1)}× faster on the same files`,
    );
  else console.log('\n(set SLOMIX_DIR to a checkout of iamez/slomix to time the reference reader beside it)');
}

/** The reference reader over the same files, when a checkout is at hand (it needs only python3). */
function referenceReader(files: File[]): { filesPerSec: number; mbPerSec: number } | null {
  const checkout = process.env.SLOMIX_DIR;
  if (!checkout) return null;
  const folder = tempDir('reference');
  try {
    for (const f of files) writeFileSync(join(folder.dir, f.fileName), f.bytes);
    const out = execFileSync('python3', [new URL('referenceReader.py', import.meta.url).pathname, folder.dir, '2.5'], {
      env: { ...process.env, SLOMIX_DIR: checkout },
      encoding: 'utf8',
    });
    const r = JSON.parse(out.trim().split('\n').pop()!) as { files: number; bytes: number; seconds: number };
    return { filesPerSec: r.files / r.seconds, mbPerSec: r.bytes / r.seconds / 1e6 };
  } catch (e) {
    console.error(`the reference reader did not run: ${(e as Error).message.split('\n')[0]}`);
    return null;
  } finally {
    folder.remove();
  }
}
