// lua_round_teams: one row per Lua round report (spec/lua-report.md), its players in
// lua_round_players, and every pause record in pauses.
import { deliveryRank, reportIdOf } from '../src/correlator/luaDeliveries.ts';
import { defineProjection, sqlFold } from '../src/runtime/projection.ts';
import { sqlFile } from '../src/store/sqlDatabase.ts';
import { snakeKeys } from './support/rows.ts';

// v2: our script's and the legacy webhook's deliveries of one report are two facts; the row shows
// the one every reader takes, in any order (delivery_rank).
const version = 2;

export const luaRounds = defineProjection({
  name: 'lua-rounds',
  version,
  schemaSql: () => sqlFile(import.meta.url, 'luaRounds.sql'),
  tables: {
    lua_round_teams: { key: ['report_id'] },
    lua_round_players: { key: ['report_id', 'ordinal'] },
    pauses: { key: ['pause_id'] },
  },
  on: {
    LuaRoundEnded: async (items, { tx }) => {
      // Our script's and the legacy webhook's deliveries of one report are two facts; each report
      // shows the one every reader takes (src/correlator/luaDeliveries.ts), whatever came first.
      const best = new Map<string, { item: (typeof items)[number]; rank: string }>();
      for (const item of items) {
        const id = reportIdOf(item.event.data);
        const rank = deliveryRank(item.event.data);
        const seen = best.get(id);
        if (!seen || rank < seen.rank) best.set(id, { item, rank });
      }
      const stored = new Map(
        (
          await tx.query<{ report_id: string; delivery_rank: string }>(
            'select report_id, delivery_rank from lua_round_teams where report_id = any($1::text[])',
            [[...best.keys()]],
          )
        ).rows.map((r) => [r.report_id, r.delivery_rank]),
      );
      const shown = [...best].filter(([id, { rank }]) => !stored.has(id) || rank < stored.get(id)!);
      if (shown.length === 0) return;
      const reports = shown.map(([reportId, { item, rank }]) => {
        const {
          event: { data: r },
          meta,
        } = item;
        return snakeKeys({
          reportId,
          factId: meta.eventId,
          deliveryRank: rank,
          serverId: r.serverId,
          map: r.map,
          round: r.round,
          roundStartUnix: r.roundStartUnix,
          roundEndUnix: r.roundEndUnix,
          playtimeSec: r.playtimeSec,
          timelimitSec: r.timelimitSec,
          warmupSec: r.warmupSec,
          warmupStartUnix: r.warmupStartUnix,
          pauseCount: r.pauseCount,
          pausedSec: r.pausedSec,
          endReason: r.endReason,
          surrenderTeam: r.surrender?.team ?? null,
          surrenderCallerGuid: r.surrender?.callerGuid ?? null,
          surrenderCallerName: r.surrender?.callerName ?? null,
          winner: r.winner,
          defender: r.defender,
          scriptVersion: r.scriptVersion,
          shape: r.shape,
          sourceKind: r.source.kind,
          sourceRef: r.source.ref,
          playerCount: r.players.length,
        });
      });
      const players = shown.flatMap(([reportId, { item }]) =>
        item.event.data.players.map((p, ordinal) =>
          snakeKeys({ reportId, ordinal, team: p.team, guid: p.guid, name: p.name, rawName: p.rawName }),
        ),
      );
      // A delivery shown before gives way with its players (the foreign key cascades).
      await tx.query('delete from lua_round_teams where report_id = any($1::text[])', [shown.map(([id]) => id)]);
      await tx.query(
        'insert into lua_round_teams select * from jsonb_populate_recordset(null::lua_round_teams, $1::jsonb)',
        [JSON.stringify(reports)],
      );
      if (players.length > 0)
        await tx.query(
          'insert into lua_round_players select * from jsonb_populate_recordset(null::lua_round_players, $1::jsonb)',
          [JSON.stringify(players)],
        );
    },
    // A pause id is one fact (the log's idempotent append), so no conflict clause: a duplicate would
    // mean a broken log, and the projection fails loudly rather than hide it.
    PauseRecorded: sqlFold(`
      insert into pauses
      select stream_id, data->>'serverId', data->>'map', (data->>'round')::smallint,
             (data->>'roundStartUnix')::bigint, (data->>'roundEndUnix')::bigint,
             (data->>'startUnix')::bigint, (data->>'endUnix')::bigint, (data->>'sec')::double precision
      from events`),
  },
});
