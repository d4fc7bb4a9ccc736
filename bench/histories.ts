// Realistic game-server histories for the benches (web, ingest): regular players, evenings, file
// names in the server's local time. Bytes come from tests/support/statsFileGenerator.ts
// (generateStatsPair) and are rewritten only in the header's server name (and map, when the history
// names one) and the `GUID\name\` prefix of each player line.
import { identifyFact } from '../src/sources/identifyFact.ts';
import type { NewEvent } from '../src/store/eventStore.ts';
import { generateStatsPair, localStamp, mulberry32 } from '../tests/support/statsFileGenerator.ts';

export type Server = { id: string; tz: string; name: string };
/** `startUtcHour`: when its evenings start (≈ 19:00–20:00 local). */
export type EveningServer = Server & { startUtcHour: number };
export type Player = { guid8: string; name: string };
/** One stopwatch map: its R1 and R2 file times, the generator's seed, pool indexes of its 12 players. */
export type MapPlay = {
  server: number;
  r1Unix: number;
  r2Unix: number;
  seed: number;
  players: number[];
  /** The map's name in the header and file name; the generator's own when absent. */
  map?: string;
};
export type HistoryFile = { fileName: string; bytes: Uint8Array; serverId: string; tz: string; unix: number };

/** `size` regulars with fixed GUIDs and names; a larger pool starts with the same players. */
export function playerPool(size: number): Player[] {
  const rnd = mulberry32(19);
  const seen = new Set<string>();
  const out: Player[] = [];
  while (out.length < size) {
    let g = '';
    for (let i = 0; i < 8; i++) g += '0123456789ABCDEF'[Math.floor(rnd() * 16)];
    if (seen.has(g)) continue;
    seen.add(g);
    out.push({ guid8: g, name: `^${out.length % 10}p${out.length}^7${['x', 'ace', 'kid', 'pro'][out.length % 4]}` });
  }
  return out;
}

/** `n` distinct elements of `from`, drawn with `rnd` (a partial Fisher–Yates shuffle). */
export function pick<T>(rnd: () => number, from: readonly T[], n: number): T[] {
  const a = [...from];
  for (let i = 0; i < n; i++) {
    const j = i + Math.floor(rnd() * (a.length - i));
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a.slice(0, n);
}

export type EveningHistory = {
  rounds: number;
  nowMs: number;
  servers: readonly EveningServer[];
  /** Pool indexes of server `s`'s community (an evening picks 14 of them, each map 12 of those). */
  community: (s: number) => number[];
  /** Days from one evening of a server to its next. */
  everyDays: number;
  /** How many maps an evening has, drawn in [lo, hi]. */
  maps: readonly [number, number];
  /** Distinct maps of an evening drawn from these; the generator's (seeded) maps when absent. */
  mapNames?: readonly string[];
};

/**
 * The maps played, oldest first: each server one evening every `everyDays` days, the newest begun
 * ≥ 6 h before now. A file is written at the end of its round: an R1 ends its playtime plus an
 * intermission (1–5 min) after the previous R2, and its R2 ends the R2's playtime plus an
 * intermission after it, so each R2 starts after its R1 ended (the pairing rule) and rounds are
 * ≤ 20 min apart.
 */
export function eveningSchedule(h: EveningHistory): MapPlay[] {
  const rnd = mulberry32(7);
  const int = (lo: number, hi: number) => lo + Math.floor(rnd() * (hi - lo + 1));
  // The UTC midnight before the newest evenings: each has started ≥ 6 h before now.
  const base = Math.floor((h.nowMs / 1000 - 30 * 3600) / 86_400) * 86_400;
  const plays: MapPlay[] = [];
  let pairs = 0;
  for (let day = 0; pairs < h.rounds / 2; day += h.everyDays) {
    for (let s = 0; s < h.servers.length && pairs < h.rounds / 2; s++) {
      const evening = pick(rnd, h.community(s), 14);
      let t = base - day * 86_400 + h.servers[s]!.startUtcHour * 3600 + int(0, 900);
      const maps = Math.min(int(h.maps[0], h.maps[1]), h.rounds / 2 - pairs);
      const names = h.mapNames ? pick(rnd, h.mapNames, maps) : null;
      for (let k = 0; k < maps; k++) {
        const seed = pairs + 1;
        const { r1, r2 } = generateStatsPair({ seed, players: 12 });
        const r1Unix = t + Math.ceil((r1.header.playtimeMs ?? 0) / 1000) + int(60, 300);
        const r2Unix = r1Unix + Math.ceil((r2.header.playtimeMs ?? 0) / 1000) + int(60, 300);
        const play: MapPlay = { server: s, r1Unix, r2Unix, seed, players: pick(rnd, evening, 12) };
        if (names) play.map = names[k]!;
        plays.push(play);
        t = r2Unix;
        pairs++;
      }
    }
  }
  return plays.sort((a, b) => a.r1Unix - b.r1Unix);
}

/** The generator's bytes with this server's name (and map, when given) and these players' GUIDs and names. */
export function rewrite(bytes: Uint8Array, serverName: string, players: Player[], map?: string): Uint8Array {
  const lines = Buffer.from(bytes).toString('latin1').split('\n');
  const header = lines[0]!.slice(lines[0]!.indexOf('\\'));
  // The header is `server\map\config\…`.
  lines[0] = serverName + (map === undefined ? header : `\\${map}${header.slice(header.indexOf('\\', 1))}`);
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    if (line === '') continue;
    const second = line.indexOf('\\', line.indexOf('\\') + 1);
    const p = players[i - 1]!;
    lines[i] = `${p.guid8}\\${p.name}${line.slice(second)}`;
  }
  return Buffer.from(lines.join('\n'), 'latin1');
}

/** The R1 and R2 files of a map as its server writes them. */
export function filesOf(play: MapPlay, servers: readonly Server[], pool: readonly Player[]): HistoryFile[] {
  const server = servers[play.server]!;
  const pair = generateStatsPair({ seed: play.seed, players: 12 });
  const map = play.map ?? pair.r1.fileName.replace(/^\d{4}-\d{2}-\d{2}-\d{6}-/, '').replace(/-round-\d\.txt$/, '');
  const players = play.players.map((i) => pool[i]!);
  return [
    { t: play.r1Unix, f: pair.r1, n: 1 },
    { t: play.r2Unix, f: pair.r2, n: 2 },
  ].map(({ t, f, n }) => ({
    fileName: `${localStamp(t, server.tz)}-${map}-round-${n}.txt`,
    bytes: rewrite(f.bytes, server.name, players, play.map),
    serverId: server.id,
    tz: server.tz,
    unix: t,
  }));
}

/**
 * Every file of the history in global time order (ties: the earlier play, then R1), generated as
 * it is consumed: only the R2s whose R1 has been handed out are held.
 */
export function* filesInTimeOrder(
  plays: readonly MapPlay[],
  servers: readonly Server[],
  pool: readonly Player[],
): Generator<HistoryFile> {
  const order: { unix: number; play: number; round: 1 | 2 }[] = [];
  plays.forEach((p, i) => {
    order.push({ unix: p.r1Unix, play: i, round: 1 }, { unix: p.r2Unix, play: i, round: 2 });
  });
  order.sort((a, b) => a.unix - b.unix || a.play - b.play || a.round - b.round);
  const waiting = new Map<number, HistoryFile>();
  for (const o of order) {
    if (o.round === 2) {
      yield waiting.get(o.play)!;
      waiting.delete(o.play);
      continue;
    }
    const [r1, r2] = filesOf(plays[o.play]!, servers, pool);
    waiting.set(o.play, r2!);
    yield r1!;
  }
}

/** The facts of generated files as a folder source would identify them (the real ingest path). */
export function factsOfFiles(files: readonly HistoryFile[], receivedAt: string): NewEvent[] {
  return files.flatMap(
    (f) =>
      identifyFact({
        bytes: f.bytes,
        fileName: f.fileName,
        serverId: f.serverId,
        tz: f.tz,
        source: { kind: 'dir', ref: `${f.serverId}/${f.fileName}` },
        receivedAt,
        maxBytes: 1 << 20,
      }).events,
  );
}
