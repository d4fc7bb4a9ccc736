// Scans a player line `<guid8>\<name>\<rounds>\<team>\<mask>{ h s k d hs} \t#0\t…\t#37` into `scanned`
// (shared/spec/stats-file.md §2.3–2.4): a one-pass scanner for the usual line, a right-anchored one for the rest.
import { fieldText, isNonFiniteText, minutesToSeconds, readDecimal, readInt, readUint } from './statsBytes.ts';
import { EXTENDED_FIELD_NAMES, type StatsIssue } from './statsTypes.ts';
import { WEAPON_COUNT } from './weapons.ts';

export const EXT = 38;
const TAB = 9;
const SPACE = 32;
const MINUS = 45;
const DOT = 46;
const BACKSLASH = 92;
const MAX_DIGITS = 15;
const POW10 = [1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15];
// Netnames are at most 36 bytes in the engine; a "name" holding `\` or TAB beyond this is two lines run
// together (a lost LF), not a name: the fields of the first would be read as the name of the second.
const MAX_RECOVERED_NAME = 64;
const MAX_WEAPON_FIGURES = WEAPON_COUNT * 5;

// How each extended field is written: integer, `%0.1f`, or `%0.1f` minutes turned into seconds.
const INT = 0;
const DEC = 1;
const MIN = 2;
const KIND = Int8Array.from(EXTENDED_FIELD_NAMES, (name) =>
  name === 'timePlayedSec' || name === 'timeDeadSec'
    ? MIN
    : name === 'timePlayedPercent' ||
        name === 'writerDpm' ||
        name === 'tankMeatshield' ||
        name === 'timeDeadRatio' ||
        name === 'engineKdRatio'
      ? DEC
      : INT,
);
const WRITER_DPM = EXTENDED_FIELD_NAMES.indexOf('writerDpm');

/** The last scanned line. Reused line after line: the parser is synchronous, nothing interleaves. */
export const scanned = {
  /** position of the `\` after the guid, and of the `\` after the name */
  b0: 0,
  b1: 0,
  rounds: 0,
  team: 0,
  mask: 0,
  figures: new Float64Array(MAX_WEAPON_FIGURES),
  figureCount: 0,
  ext: new Float64Array(EXT),
  writerDpmFinite: true,
  nameRecovered: false,
};

let pos = 0;
let tabs: Int32Array = new Int32Array(64);

/** The usual line (no `\` or TAB in the name), in one pass; false whenever anything differs. */
export function scanUsualLine(b: Uint8Array, s: number, e: number): boolean {
  let p = s;
  while (p < e && b[p] !== BACKSLASH && b[p] !== TAB) p++;
  if (p >= e || b[p] !== BACKSLASH || p - s > 8) return false;
  scanned.b0 = p++;
  while (p < e && b[p] !== BACKSLASH && b[p] !== TAB) p++;
  if (p >= e || b[p] !== BACKSLASH) return false;
  scanned.b1 = p;
  pos = p + 1;
  const rounds = scanInt(b, e);
  if (Number.isNaN(rounds) || b[pos] !== BACKSLASH) return false;
  pos++;
  const team = scanInt(b, e);
  if (Number.isNaN(team) || b[pos] !== BACKSLASH) return false;
  pos++;
  const mask = scanUint(b, e);
  if (mask < 0 || mask >= 2 ** WEAPON_COUNT) return false;
  const figures = scanned.figures;
  let count = 0;
  while (pos < e && b[pos] === SPACE) {
    pos++;
    if (b[pos] === TAB) break;
    const v = scanUint(b, e);
    if (v < 0 || count === MAX_WEAPON_FIGURES) return false;
    figures[count++] = v;
  }
  if (pos >= e || b[pos] !== TAB || count !== 5 * bitCount(mask)) return false;

  // The 38 numbers, inline: this loop is the parser's hot path.
  const ext = scanned.ext;
  p = pos;
  for (let f = 0; f < EXT; f++) {
    p++;
    const kind = KIND[f]!;
    const negative = b[p] === MINUS;
    if (negative) p++;
    const start = p;
    let v = 0;
    while (p < e) {
      const d = b[p]! - 48;
      if (d < 0 || d > 9) break;
      v = v * 10 + d;
      p++;
    }
    if (p === start) return false;
    let digits = p - start;
    if (kind !== INT && b[p] === DOT) {
      const fraction = ++p;
      while (p < e) {
        const d = b[p]! - 48;
        if (d < 0 || d > 9) break;
        v = v * 10 + d;
        p++;
      }
      digits += p - fraction;
      if (p === fraction || digits > MAX_DIGITS) return false;
      v /= POW10[p - fraction]!; // one correctly rounded division of exact values, as readDecimal
    }
    if (digits > MAX_DIGITS) return false;
    if (negative && v !== 0) v = -v;
    ext[f] = kind === MIN ? minutesToSeconds(v) : v;
    if (f < EXT - 1 ? p >= e || b[p] !== TAB : p !== e) return false;
  }
  scanned.rounds = rounds;
  scanned.team = team;
  scanned.mask = mask;
  scanned.figureCount = count;
  scanned.writerDpmFinite = true;
  scanned.nameRecovered = false;
  return true;
}

/**
 * Any line: the 38 extended fields are taken from the right (they never hold a TAB), the guid from the
 * left up to the first `\`, rounds/team/weapons from the right up to the last three `\`; whatever
 * remains is the name, so a `\` or TAB inside it never shifts a field. Null when the line is good.
 */
export function scanAnyLine(b: Uint8Array, s: number, e: number, line: number): StatsIssue | null {
  let tabCount = 0;
  for (let i = s; i < e; i++) {
    if (b[i] === TAB) {
      if (tabCount === tabs.length) tabs = growTabs(tabs);
      tabs[tabCount++] = i;
    }
  }
  if (tabCount < EXT) {
    return issue(
      line,
      'fieldCount',
      String(tabCount),
      `expected ${EXT} TAB-separated extended fields, found ${tabCount}`,
    );
  }
  const base = tabCount - EXT;
  const headEnd = tabs[base]!;

  let b0 = s;
  while (b0 < headEnd && b[b0] !== BACKSLASH) b0++;
  let b3 = headEnd - 1;
  while (b3 > b0 && b[b3] !== BACKSLASH) b3--;
  let b2 = b3 - 1;
  while (b2 > b0 && b[b2] !== BACKSLASH) b2--;
  let b1 = b2 - 1;
  while (b1 > b0 && b[b1] !== BACKSLASH) b1--;
  if (b1 <= b0) {
    return issue(line, 'backslashFields', fieldText(b, s, headEnd), 'expected guid\\name\\rounds\\team\\weapons');
  }
  if (b0 - s > 8) return issue(line, 'guid', fieldText(b, s, b0), 'the guid is longer than 8 characters');
  const rounds = readInt(b, b1 + 1, b2);
  if (Number.isNaN(rounds)) return issue(line, 'rounds', fieldText(b, b1 + 1, b2), 'rounds must be an integer');
  const team = readInt(b, b2 + 1, b3);
  if (Number.isNaN(team)) return issue(line, 'team', fieldText(b, b2 + 1, b3), 'team must be an integer');

  let p = b3 + 1;
  let count = 0;
  let mask = -1;
  while (p < headEnd) {
    if (b[p] === SPACE) {
      p++;
      continue;
    }
    const t = p;
    while (p < headEnd && b[p] !== SPACE) p++;
    const v = readUint(b, t, p);
    if (v < 0) return issue(line, 'weapons', fieldText(b, t, p), 'weapon figures must be non-negative integers');
    if (mask < 0) mask = v;
    else if (count === MAX_WEAPON_FIGURES) return weaponMismatch(b, b3 + 1, headEnd, line);
    else scanned.figures[count++] = v;
  }
  if (mask < 0 || mask >= 2 ** WEAPON_COUNT) {
    return issue(
      line,
      'weaponMask',
      fieldText(b, b3 + 1, headEnd),
      `the mask must be an integer below 2^${WEAPON_COUNT}`,
    );
  }
  if (count !== 5 * bitCount(mask)) return weaponMismatch(b, b3 + 1, headEnd, line);

  let writerDpmFinite = true;
  for (let f = 0; f < EXT; f++) {
    const fs = tabs[base + f]! + 1;
    const fe = f < EXT - 1 ? tabs[base + f + 1]! : e;
    const kind = KIND[f];
    const v = kind === INT ? readInt(b, fs, fe) : readDecimal(b, fs, fe);
    if (Number.isNaN(v)) {
      if (f === WRITER_DPM && isNonFiniteText(b, fs, fe)) {
        writerDpmFinite = false;
        scanned.ext[f] = 0;
        continue;
      }
      const what = kind === INT ? 'an integer' : 'a decimal number';
      return issue(line, EXTENDED_FIELD_NAMES[f]!, fieldText(b, fs, fe), `extended field #${f} must be ${what}`);
    }
    scanned.ext[f] = kind === MIN ? minutesToSeconds(v) : v;
  }

  const nameRecovered = base > 0 || hasByte(b, b0 + 1, b1, BACKSLASH);
  if (nameRecovered && b1 - b0 - 1 > MAX_RECOVERED_NAME) {
    return issue(
      line,
      'name',
      fieldText(b, b0 + 1, b1),
      `a name with \\ or TAB longer than ${MAX_RECOVERED_NAME} bytes: lines run together?`,
    );
  }
  scanned.b0 = b0;
  scanned.b1 = b1;
  scanned.rounds = rounds;
  scanned.team = team;
  scanned.mask = mask;
  scanned.figureCount = count;
  scanned.writerDpmFinite = writerDpmFinite;
  scanned.nameRecovered = nameRecovered;
  return null;
}

/** Unsigned integer at `pos` up to the first non-digit; -1 without a digit. */
function scanUint(b: Uint8Array, e: number): number {
  const start = pos;
  let p = start;
  let v = 0;
  while (p < e) {
    const d = b[p]! - 48;
    if (d < 0 || d > 9) break;
    v = v * 10 + d;
    p++;
  }
  pos = p;
  return p === start || p - start > MAX_DIGITS ? -1 : v;
}

function scanInt(b: Uint8Array, e: number): number {
  const negative = b[pos] === MINUS;
  if (negative) pos++;
  const v = scanUint(b, e);
  return v < 0 ? Number.NaN : negative && v !== 0 ? -v : v;
}

function bitCount(mask: number): number {
  let n = 0;
  for (let id = 0; id < WEAPON_COUNT; id++) n += (mask >>> id) & 1;
  return n;
}

function hasByte(b: Uint8Array, s: number, e: number, byte: number): boolean {
  for (let i = s; i < e; i++) if (b[i] === byte) return true;
  return false;
}

function weaponMismatch(b: Uint8Array, s: number, e: number, line: number): StatsIssue {
  return issue(line, 'weapons', fieldText(b, s, e), 'the weapon figures do not match the mask (5 per weapon)');
}

function issue(line: number, field: string, value: string, detail: string): StatsIssue {
  return { code: 'bad_player_row', line, field, value, detail };
}

function growTabs(old: Int32Array): Int32Array {
  const next = new Int32Array(old.length * 2);
  next.set(old);
  return next;
}
