// The parser hands on only values every read-model column can hold (statsTypes.ts VALUE_BOUNDS):
// checked once per accepted player line, over what the line scanners left in `scanned`.
import { DEC, EXT, KIND, scanned } from './statsLineFields.ts';
import { EXTENDED_FIELD_NAMES, type StatsIssue, VALUE_BOUNDS } from './statsTypes.ts';

const COUNT = VALUE_BOUNDS.count;
const SIDE = VALUE_BOUNDS.side;

/**
 * Team and rounds of the scanned line beyond their bounds, as an issue; null when they fit. All a
 * line of scanUsualLine needs: its other numbers have at most 7 digits (statsLineFields.ts).
 */
export function sidesOutOfBounds(line: number): StatsIssue | null {
  if (scanned.team < -SIDE - 1 || scanned.team > SIDE) return beyond(line, 'team', scanned.team, SIDE);
  if (scanned.rounds < -COUNT || scanned.rounds > COUNT) return beyond(line, 'rounds', scanned.rounds, COUNT);
  return null;
}

/** The first value of the scanned line beyond its bound, as an issue; null when all fit. */
export function outOfBounds(line: number): StatsIssue | null {
  const sides = sidesOutOfBounds(line);
  if (sides) return sides;
  const figures = scanned.figures;
  for (let k = 0; k < scanned.figureCount; k++) {
    if (figures[k]! > COUNT) return beyond(line, 'weapons', figures[k]!, COUNT);
  }
  const ext = scanned.ext;
  for (let f = 0; f < EXT; f++) {
    const v = ext[f]!;
    if (KIND[f] !== DEC && (v > COUNT || v < -COUNT)) return beyond(line, EXTENDED_FIELD_NAMES[f]!, v, COUNT);
  }
  return null;
}

function beyond(line: number, field: string, value: number, bound: number): StatsIssue {
  return {
    code: 'bad_player_row',
    line,
    field,
    value: String(value),
    detail: `${field} ${value} is beyond ±${bound}, more than a read model can hold: the line is not used`,
  };
}
