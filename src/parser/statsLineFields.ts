// Layout of a player line's numbers and the state both line scanners fill (shared/spec/stats-file.md §2.3–2.4).
import { EXTENDED_FIELD_NAMES } from './statsTypes.ts';
import { WEAPON_COUNT } from './weapons.ts';

export const EXT = 38;
export const MAX_DIGITS = 15; // stays below 2^53
export const POW10 = [1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15];
export const MAX_WEAPON_FIGURES = WEAPON_COUNT * 5;
export const MASK_LIMIT = 2 ** WEAPON_COUNT;

/**
 * statsPlayer.ts reads the integer fields, minutes (as seconds) and weapon figures `| 0`, as int32s.
 * The usual scanner takes no line where that could be inexact or beyond VALUE_BOUNDS.count
 * (statsTypes.ts): integers of up to 7 digits, minutes of up to 6 (99 999.9 min, 6·10^6 s) and not
 * negative (their seconds could be -0). So a usual line needs only its team and rounds checked
 * (statsBounds.ts); scanAnyLine takes longer ones, marks them `wide` and has them all checked.
 */
export const MAX_INT32_DIGITS = 7;
export const MAX_MINUTE_DIGITS = 6;

/** Whether `v` would not survive `v | 0`: beyond int32, a fraction, or -0. */
export function isWide(v: number): boolean {
  return (v | 0) !== v || (v === 0 && 1 / v < 0);
}

// How each extended field is written: integer, `%0.1f`, or `%0.1f` minutes turned into seconds.
export const INT = 0;
export const DEC = 1;
export const MIN = 2;
export const KIND = Int8Array.from(EXTENDED_FIELD_NAMES, (name) =>
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
export const WRITER_DPM = EXTENDED_FIELD_NAMES.indexOf('writerDpm');

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
  /** an integer field, minutes field or weapon figure `isWide` (scanAnyLine's lines only) */
  wide: false,
  /** scanUsualLine only: where the next line starts (after its LF), -1 when the line ran to `e` */
  next: -1,
};

/** Set bits of a mask below 2^28 (SWAR popcount: no loop over the 28 weapon ids). */
export function bitCount(mask: number): number {
  let m = mask - ((mask >>> 1) & 0x55555555);
  m = (m & 0x33333333) + ((m >>> 2) & 0x33333333);
  return (Math.imul((m + (m >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24) | 0;
}
