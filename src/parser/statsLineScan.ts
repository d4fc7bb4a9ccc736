// Scans a player line `<guid8>\<name>\<rounds>\<team>\<mask>{ h s k d hs} \t#0\t…\t#37` into `scanned`
// (shared/spec/stats-file.md §2.3–2.4): the one-pass scanner for the usual line is in statsLineUsual.ts,
// the right-anchored one for the rest is here.
import { fieldText, isNonFiniteText, minutesToSeconds, readDecimal, readInt, readUint } from './statsBytes.ts';
import {
  bitCount,
  DEC,
  EXT,
  INT,
  isWide,
  KIND,
  MASK_LIMIT,
  MAX_WEAPON_FIGURES,
  MIN,
  scanned,
  WRITER_DPM,
} from './statsLineFields.ts';
import { EXTENDED_FIELD_NAMES, type StatsIssue } from './statsTypes.ts';
import { WEAPON_COUNT } from './weapons.ts';

export { scanned } from './statsLineFields.ts';
export { scanUsualLine } from './statsLineUsual.ts';

const TAB = 9;
const SPACE = 32;
const BACKSLASH = 92;
// Netnames are at most 36 bytes in the engine; a "name" holding `\` or TAB beyond this is two lines run
// together (a lost LF), not a name: the fields of the first would be read as the name of the second.
const MAX_RECOVERED_NAME = 64;

let tabs: Int32Array = new Int32Array(64);

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
  let wide = false;
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
    else {
      scanned.figures[count++] = v;
      wide ||= isWide(v);
    }
  }
  if (mask < 0 || mask >= MASK_LIMIT) {
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
    if (kind !== DEC) wide ||= isWide(scanned.ext[f]!);
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
  scanned.wide = wide;
  return null;
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
