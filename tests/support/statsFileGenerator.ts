// Deterministic generator of valid c0rnp0rn stats files (shared/spec/stats-file.md): a seeded R1 and its
// matching R2 (cumulative counters), with the truth each parser result can be checked against.
import { cleanName, decodeRawName } from '../../src/parser/names.ts';

export type GenWeapon = {
  weaponId: number;
  hits: number;
  shots: number;
  kills: number;
  deaths: number;
  headshots: number;
};

/** One half (or the cumulative R2 view) of one player, in parsed units: seconds, percent. */
export type GenStats = {
  weapons: GenWeapon[];
  /** The 38 extended fields in file order; #8, #21, #23, #24, #26 in tenths, #22 and #25 in seconds. */
  ext: number[];
  aliveSec: number;
};

export type GenPlayer = {
  guid8: string;
  nameBytes: Uint8Array;
  rawName: string;
  name: string;
  rounds: number;
  team: number;
  stats: GenStats;
};

export type GenHeader = {
  serverNameBytes: Uint8Array;
  map: string;
  config: string;
  round: 1 | 2;
  defender: number;
  winner: number;
  timeLimitSec: number;
  nextTimeLimitSec: number;
  playtimeMs: number | null;
};

export type GeneratedFile = { fileName: string; bytes: Uint8Array; header: GenHeader; players: GenPlayer[] };

/** `r2Half[i]` is the R2-only truth of `r2.players[i]` (same guid8 and name as `r1.players[i]`). */
export type GeneratedPair = { r1: GeneratedFile; r2: GeneratedFile; r2Half: GenStats[] };

export type GenOptions = {
  seed: number;
  players: number;
  /** Names with `\`, TAB, CR, BEL, quotes, CP1252 and UTF-8 bytes, colour codes; bots sharing OMNIBOT0. */
  hostileNames?: boolean;
  /** 'c0rnp0rn7' writes the 8-field header (no playtime). */
  writer?: 'c0rnp0rn8' | 'c0rnp0rn7';
};

export const DECIMAL_FIELDS = new Set([8, 21, 23, 24, 26]);
export const MINUTE_FIELDS = new Set([22, 25]);
/** #0–#7, #20, #22: cumulative in R2. */
export const CUMULATIVE_FIELDS = new Set([0, 1, 2, 3, 4, 5, 6, 7, 20, 22]);

const MAPS = ['supply', 'etl_adlernest', 'te_escape2', 'etl_sp-delivery', 'goldrush-ga', 'radar_te-2'];
const enc = new TextEncoder();
const HOSTILE: Uint8Array[] = [
  '@everyone',
  "'; DROP TABLE rounds;--",
  '"quoted" O\'Neil',
  'bell\u0007ctl',
  'back\\slash',
  'tab\there',
  'cr\rinside',
  'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789wxyz',
  'Željko ★ 日本',
  '^1Red^7Dr^3a^7gon^*',
  ' \\\\ 1\\2\\3 4 ',
].map((s) => enc.encode(s));
const CP1252_NAMES = [Uint8Array.of(0x4a, 0xf6, 0x72, 0x67), Uint8Array.of(0x80, 0x20, 0x9e, 0x5c, 0x09)];

export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function generateStatsPair(options: GenOptions): GeneratedPair {
  const rnd = mulberry32(options.seed);
  const int = (lo: number, hi: number) => lo + Math.floor(rnd() * (hi - lo + 1));
  const map = MAPS[int(0, MAPS.length - 1)]!;
  const eightFields = options.writer === 'c0rnp0rn7';

  const r1Tenths = int(30, 150);
  const r2Tenths = int(20, 150);
  const identities = makeIdentities(options, rnd, int);
  const r1Players: GenPlayer[] = [];
  const r2Players: GenPlayer[] = [];
  const r2Half: GenStats[] = [];
  for (const id of identities) {
    const team = int(1, 2);
    const h1 = half(int, r1Tenths);
    const h2 = half(int, r2Tenths);
    r1Players.push({ ...id, rounds: 0, team, stats: h1 });
    r2Players.push({ ...id, rounds: 1, team: 3 - team, stats: cumulative(h1, h2) });
    r2Half.push(h2);
  }
  const serverNameBytes = options.hostileNames
    ? enc.encode('^1ET^7:^4Legacy \\ Cup')
    : enc.encode('^1ET^7:^4Legacy ^7Slomix Cup');
  const defender = int(1, 2);
  const limit1 = int(5, 20) * 60;
  const play1 = r1Tenths * 6 + int(0, 5);
  const h1: GenHeader = {
    serverNameBytes,
    map,
    config: 'legacy6',
    round: 1,
    defender,
    winner: int(1, 2),
    timeLimitSec: limit1,
    nextTimeLimitSec: Math.min(play1, limit1),
    playtimeMs: eightFields ? null : play1 * 1000 + int(0, 19) * 50,
  };
  const h2: GenHeader = {
    ...h1,
    round: 2,
    winner: int(0, 2),
    timeLimitSec: h1.nextTimeLimitSec,
    nextTimeLimitSec: int(30, 95) * 60 + int(0, 59),
    playtimeMs: eightFields ? null : r2Tenths * 6000 + int(0, 5) * 1000,
  };
  const t0 = Date.UTC(2026, int(0, 11), int(1, 28), int(0, 23), int(0, 59), int(0, 59));
  const t1 = t0 + (play1 + int(60, 300)) * 1000;
  return {
    r1: { fileName: fileName(t0, map, 1), bytes: render(h1, r1Players), header: h1, players: r1Players },
    r2: { fileName: fileName(t1, map, 2), bytes: render(h2, r2Players), header: h2, players: r2Players },
    r2Half,
  };
}

/** `count` files (R1 and R2 alternately) of 4–20 players, for benches. */
export function generateStatsCorpus(count: number, seed: number): { fileName: string; bytes: Uint8Array }[] {
  const out: { fileName: string; bytes: Uint8Array }[] = [];
  for (let i = 0; out.length < count; i++) {
    const pair = generateStatsPair({ seed: seed + i, players: 4 + ((seed + i) % 17), hostileNames: i % 5 === 0 });
    out.push(pair.r1, pair.r2);
  }
  return out.slice(0, count);
}

type Identity = Pick<GenPlayer, 'guid8' | 'nameBytes' | 'rawName' | 'name'>;

function makeIdentities(options: GenOptions, rnd: () => number, int: (lo: number, hi: number) => number): Identity[] {
  const out: Identity[] = [];
  const seenNames = new Set<string>();
  const seenGuids = new Set<string>();
  for (let i = 0; out.length < options.players; i++) {
    let nameBytes: Uint8Array;
    let guid8: string;
    const pick = options.hostileNames ? int(0, 9) : 9;
    if (pick < 3) nameBytes = HOSTILE[int(0, HOSTILE.length - 1)]!;
    else if (pick === 3) nameBytes = CP1252_NAMES[int(0, CP1252_NAMES.length - 1)]!;
    else if (pick === 4) nameBytes = randomNameBytes(int);
    else if (pick === 5) nameBytes = enc.encode(`[BOT]b${i}`);
    else nameBytes = enc.encode(`^${int(0, 9)}p${i}^7x${int(0, 99)}`);
    if (pick === 5) guid8 = 'OMNIBOT0';
    else if (nameBytes.includes(92))
      guid8 = ''; // the writer's userinfo lookup fails on a `\`
    else guid8 = hex8(rnd);
    const rawName = decodeRawName(nameBytes);
    if (seenNames.has(rawName) || (guid8 !== 'OMNIBOT0' && guid8 !== '' && seenGuids.has(guid8))) continue;
    seenNames.add(rawName);
    seenGuids.add(guid8);
    out.push({ guid8, nameBytes, rawName, name: cleanName(rawName) });
  }
  return out;
}

function randomNameBytes(int: (lo: number, hi: number) => number): Uint8Array {
  const n = int(1, 20);
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    let c = int(1, 255);
    if (c === 10) c = 11;
    b[i] = c;
  }
  return b;
}

function hex8(rnd: () => number): string {
  let s = '';
  for (let i = 0; i < 8; i++) s += '0123456789ABCDEF'[Math.floor(rnd() * 16)];
  return s;
}

function half(int: (lo: number, hi: number) => number, roundTenths: number): GenStats {
  const weapons: GenWeapon[] = [];
  for (let id = 0; id < 28; id++) {
    if (int(0, 3) !== 0) continue;
    const shots = int(0, 300);
    const hits = Math.min(shots, int(0, 80));
    const w = { weaponId: id, hits, shots, kills: int(0, 8), deaths: int(0, 6), headshots: Math.min(hits, int(0, 10)) };
    if (w.hits + w.shots + w.kills + w.deaths === 0) w.deaths = 1;
    weapons.push(w);
  }
  if (weapons.length === 0) weapons.push({ weaponId: 11, hits: 0, shots: 1, kills: 0, deaths: 0, headshots: 0 });
  const tenths = int(0, roundTenths);
  const timeSec = tenths * 6;
  const aliveSec = int(0, timeSec);
  const ext = Array.from({ length: 38 }, () => int(0, 12));
  ext[0] = int(0, 3000);
  ext[1] = int(0, 3000);
  ext[2] = int(0, 5) * 18;
  ext[3] = int(0, 5) * 18;
  ext[8] = timeSec > 0 ? Math.round((1000 * aliveSec) / timeSec) : 0;
  ext[9] = int(-20, 120);
  ext[20] = weapons.reduce((s, w) => s + w.shots, 0);
  ext[21] = 0;
  ext[22] = timeSec;
  ext[23] = int(0, 1) * int(31, 90);
  ext[24] = int(0, 1000);
  ext[25] = int(0, tenths) * 6;
  ext[26] = int(0, 50);
  ext[28] = int(0, 400);
  return { weapons, ext, aliveSec };
}

function cumulative(h1: GenStats, h2: GenStats): GenStats {
  const byId = new Map<number, GenWeapon>();
  for (const w of [...h1.weapons, ...h2.weapons]) {
    const c = byId.get(w.weaponId);
    byId.set(
      w.weaponId,
      c
        ? {
            weaponId: w.weaponId,
            hits: c.hits + w.hits,
            shots: c.shots + w.shots,
            kills: c.kills + w.kills,
            deaths: c.deaths + w.deaths,
            headshots: c.headshots + w.headshots,
          }
        : { ...w },
    );
  }
  const weapons = [...byId.values()].sort((a, b) => a.weaponId - b.weaponId);
  const ext = h2.ext.map((v, i) => (CUMULATIVE_FIELDS.has(i) ? v + h1.ext[i]! : v));
  const time = ext[22]!;
  const aliveSec = h1.aliveSec + h2.aliveSec;
  ext[8] = time > 0 ? Math.round((1000 * aliveSec) / time) : 0;
  return { weapons, ext, aliveSec };
}

function render(h: GenHeader, players: GenPlayer[]): Uint8Array {
  const parts: Uint8Array[] = [];
  const fields = [
    h.map,
    h.config,
    String(h.round),
    String(h.defender),
    String(h.winner),
    minSec(h.timeLimitSec),
    minSec(h.nextTimeLimitSec),
  ];
  if (h.playtimeMs !== null) fields.push(String(h.playtimeMs));
  parts.push(h.serverNameBytes, enc.encode(`\\${fields.join('\\')}\n`));
  for (const p of players) {
    let weaponText = '';
    let mask = 0;
    for (const w of p.stats.weapons) {
      mask += 2 ** w.weaponId;
      weaponText += ` ${w.hits} ${w.shots} ${w.kills} ${w.deaths} ${w.headshots}`;
    }
    const ext = p.stats.ext.map((v, i) =>
      DECIMAL_FIELDS.has(i) ? (v / 10).toFixed(1) : MINUTE_FIELDS.has(i) ? (v / 60).toFixed(1) : String(v),
    );
    parts.push(enc.encode(`${p.guid8}\\`), p.nameBytes);
    parts.push(enc.encode(`\\${p.rounds}\\${p.team}\\${mask}${weaponText} \t${ext.join('\t')}\n`));
  }
  const out = new Uint8Array(parts.reduce((s, x) => s + x.length, 0));
  let o = 0;
  for (const x of parts) {
    out.set(x, o);
    o += x.length;
  }
  return out;
}

function minSec(sec: number): string {
  return `${Math.floor(sec / 60)}:${String(sec % 60).padStart(2, '0')}`;
}

function fileName(utcMs: number, map: string, round: 1 | 2): string {
  const d = new Date(utcMs);
  const p = (n: number) => String(n).padStart(2, '0');
  const date = `${d.getUTCFullYear()}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())}`;
  return `${date}-${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}-${map}-round-${round}.txt`;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
/** `2026-01-01-213005` in the server's zone, as the game server names its files. */
export function localStamp(unix: number, tz: string): string {
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', {
      timeZone: tz,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
    });
    formatters.set(tz, f);
  }
  const p = Object.fromEntries(f.formatToParts(new Date(unix * 1000)).map((x) => [x.type, x.value]));
  return `${p.year}-${p.month}-${p.day}-${p.hour}${p.minute}${p.second}`;
}
