// The fonts the charts draw with. They ship inside npm packages (Fontsource's variable WOFF2 builds
// of Google's Noto Sans, Noto Sans SC, JP and KR; SIL Open Font License 1.1), so a chart draws the
// same on a bare container as on a desktop, and a CJK name is never a row of boxes (tofu) because
// the host lacks a font. See docs/fonts.md.
//
// Each package splits its font into unicode-range slices (Google Fonts' slicing; ~100 WOFF2 files
// per CJK font, listed in its unicode.json). Registering all ~350 slices takes about 1.5 s and keeps
// every one decoded in memory, so a slice is registered the first time a text needs one of its
// characters, once per process (a chart with CJK names adds ~0.1 s the first time). The glyph a
// character gets depends only on the text it is in (see `familyOrder`), never on what was drawn
// before: the first family in the order that has the character is the one whose slice is
// registered, and none of the families before it has that character.
//
// What is covered: Latin (with Vietnamese), Greek, Cyrillic and Devanagari (Noto Sans); Chinese
// (simplified; ~12 000 ideographs), Japanese (kana and ~12 700 kanji) and Korean (all 11 172 hangul
// syllables). Characters none of them has (Arabic, Hebrew, Thai, emoji, rare ideographs) fall back
// to the host's fonts: "DejaVu Sans", then the host's sans-serif.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { GlobalFonts } from '@napi-rs/canvas';

type FaceName = 'latin' | 'sc' | 'jp' | 'kr';

type Face = {
  /** The family name the slices are registered under (our own, so no host font can shadow it). */
  family: string;
  /** The npm package and the prefix of its slice files (`files/<prefix>-<slice>-wght-normal.woff2`). */
  pkg: string;
  prefix: string;
};

export const chartFaces: Record<FaceName, Face> = {
  latin: { family: 'et-ledger Noto Sans', pkg: '@fontsource-variable/noto-sans', prefix: 'noto-sans' },
  sc: { family: 'et-ledger Noto Sans SC', pkg: '@fontsource-variable/noto-sans-sc', prefix: 'noto-sans-sc' },
  jp: { family: 'et-ledger Noto Sans JP', pkg: '@fontsource-variable/noto-sans-jp', prefix: 'noto-sans-jp' },
  kr: { family: 'et-ledger Noto Sans KR', pkg: '@fontsource-variable/noto-sans-kr', prefix: 'noto-sans-kr' },
};

/** The host's fonts, after the bundled ones, for what none of those has. */
const hostFamilies = '"DejaVu Sans", sans-serif';

/** A slice: the code points [lo, hi] are in `file`. Sorted by `lo`, non-overlapping within a face. */
type Range = { lo: number; hi: number; file: string };

type FaceIndex = { ranges: Range[]; missing: string | null };

const requireHere = createRequire(import.meta.url);
const indexes = new Map<FaceName, FaceIndex>();
const registered = new Set<string>();
const failed = new Map<string, string>();

/** Parses `U+4e00-4e0f,U+4e11` (a CSS unicode-range list). */
function parseRanges(list: string, file: string): Range[] {
  const out: Range[] = [];
  for (const part of list.split(',')) {
    const m = /^\s*U\+([0-9a-f]+)(?:-([0-9a-f]+))?\s*$/i.exec(part);
    if (!m) continue;
    const lo = Number.parseInt(m[1]!, 16);
    out.push({ lo, hi: m[2] === undefined ? lo : Number.parseInt(m[2], 16), file });
  }
  return out;
}

/** The slice index of a face, read once from its package's unicode.json. */
function faceIndex(name: FaceName): FaceIndex {
  const known = indexes.get(name);
  if (known) return known;
  const face = chartFaces[name];
  let index: FaceIndex;
  try {
    const unicodeJson = requireHere.resolve(`${face.pkg}/unicode.json`);
    const files = join(dirname(unicodeJson), 'files');
    const slices = JSON.parse(readFileSync(unicodeJson, 'utf8')) as Record<string, string>;
    const ranges: Range[] = [];
    for (const [key, list] of Object.entries(slices)) {
      // Keys are `[119]` for numbered CJK slices and `latin`, `cyrillic-ext`, … for named ones.
      const file = join(files, `${face.prefix}-${key.replace(/[[\]]/g, '')}-wght-normal.woff2`);
      if (existsSync(file)) ranges.push(...parseRanges(list, file));
    }
    ranges.sort((a, b) => a.lo - b.lo);
    index = { ranges, missing: ranges.length === 0 ? `${face.pkg}: no font files` : null };
  } catch (err) {
    index = { ranges: [], missing: `${face.pkg}: ${(err as Error).message.split('\n')[0]}` };
  }
  indexes.set(name, index);
  return index;
}

/** The slice file of `name` that has code point `cp`, if any (binary search). */
function sliceFor(name: FaceName, cp: number): string | null {
  const { ranges } = faceIndex(name);
  let lo = 0;
  let hi = ranges.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const r = ranges[mid]!;
    if (cp < r.lo) hi = mid - 1;
    else if (cp > r.hi) lo = mid + 1;
    else return r.file;
  }
  return null;
}

const kana = /[\u3040-\u30ff\u31f0-\u31ff\uff66-\uff9f]/;
const hangul = /[\u1100-\u11ff\u3130-\u318f\uac00-\ud7af]/;

/**
 * The bundled families in the order they are tried for `text`. Han characters are shared by
 * Chinese, Japanese and Korean but drawn a little differently in each: a text with kana takes them
 * from the Japanese font, one with hangul (and no kana) from the Korean one, any other from the
 * Simplified Chinese one.
 */
export function familyOrder(text: string): FaceName[] {
  if (kana.test(text)) return ['latin', 'jp', 'sc', 'kr'];
  if (hangul.test(text)) return ['latin', 'kr', 'sc', 'jp'];
  return ['latin', 'sc', 'jp', 'kr'];
}

/** Registers the slices that `text` needs under `order` (each file once per process). */
function ensureGlyphs(text: string, order: FaceName[]): void {
  const seen = new Set<number>();
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    if (seen.has(cp)) continue;
    seen.add(cp);
    for (const name of order) {
      const file = sliceFor(name, cp);
      if (file === null) continue;
      if (!registered.has(file) && !failed.has(file)) {
        if (GlobalFonts.registerFromPath(file, chartFaces[name].family)) registered.add(file);
        else failed.set(file, `${chartFaces[name].pkg}: cannot load ${file}`);
      }
      break;
    }
  }
}

/**
 * The canvas `font` for drawing `text` at `px` pixels: the bundled families first (ordered for the
 * text's script), then the host's. Registers the font slices the text needs, and the ellipsis that
 * `fitWidth` may append. Set it before measuring or drawing `text`.
 */
export function chartFont(px: number, bold: boolean, text: string): string {
  const order = familyOrder(text);
  ensureGlyphs(`${text}…`, order);
  const families = order.map((name) => `"${chartFaces[name].family}"`).join(', ');
  return `${bold ? 'bold ' : ''}${px}px ${families}, ${hostFamilies}`;
}

/** What is wrong with the bundled fonts (a package missing, a file that would not load), if anything. */
export function chartFontProblems(): string[] {
  const problems: string[] = [];
  for (const name of Object.keys(chartFaces) as FaceName[]) {
    const { missing } = faceIndex(name);
    if (missing) problems.push(missing);
  }
  return [...problems, ...failed.values()];
}

/** The slice files registered so far (for tests and diagnostics). */
export function registeredChartFontFiles(): string[] {
  return [...registered];
}
