// How a player's weapons are stored: one 2-D integer array in his player_rows row, a row of
// (weapon_id, hits, shots, kills, deaths, headshots) per weapon, and the `player_weapon_stats` view
// that unnests it into one row per weapon for readers and plain SQL.
//
// Why not a table of weapon rows: a round of 12 players has ≈ 84 of them, so 100 000 rounds made
// 8.4 M rows, each with its own tuple header, key entry and COPY line: the largest part of a
// history's write cost (the ingest bench's COPY floor) and of the fold's allocations. As arrays they
// ride in the player's row: one tuple, no index of their own.
import { WEAPON_NAMES } from '../../src/parser/statsFile.ts';
import type { WeaponStat } from '../../src/parser/statsTypes.ts';

/** The array's columns, in order: the view's names for them. */
const TUPLE = ['weapon_id', 'hits', 'shots', 'kills', 'deaths', 'headshots'] as const;

/** A player's weapons as player_rows.weapons holds them (in the parser's order: by weapon id). */
export function weaponTuples(weapons: readonly WeaponStat[]): number[][] {
  return weapons.map((w) => [w.weaponId, w.hits, w.shots, w.kills, w.deaths, w.headshots]);
}

/**
 * The view: one row per weapon, with the columns (and the key round_id, line, weapon_id) the table
 * had. The weapon's name comes from the parser's table of names, the one place ids are named.
 */
export function weaponViewSql(): string {
  const names = WEAPON_NAMES.map((n) => `'${n}'`).join(', ');
  const figures = TUPLE.slice(1)
    .map((c, i) => `p.weapons[i][${i + 2}] as ${c}`)
    .join(', ');
  return `
-- One row per weapon of a player row (player_rows.weapons; projections/support/weaponTuples.ts).
create view player_weapon_stats as
  select p.round_id, p.line, p.guid8, p.weapons[i][1]::smallint as weapon_id,
         (array[${names}]::text[])[p.weapons[i][1] + 1] as weapon, ${figures}
  from player_rows p cross join lateral generate_subscripts(p.weapons, 1) as i;
`;
}
