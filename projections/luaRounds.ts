// lua_round_teams: one row per Lua round report (spec/lua-report.md), its players in
// lua_round_players, and every pause record in pauses.
import { luaReportId } from '../src/events/ids.ts';
import { normalizeMapName } from '../src/parser/names.ts';
import { defineProjection, sqlFold } from '../src/runtime/projection.ts';
import { sqlFile } from '../src/store/sqlDatabase.ts';
import { snakeKeys } from './support/rows.ts';

const version = 1;

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
      const reports = items.map(({ event: { data: r }, meta }) =>
        snakeKeys({
          reportId: luaReportId(r.serverId, normalizeMapName(r.map), r.round, r.roundEndUnix),
          factId: meta.eventId,
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
        }),
      );
      const players = items.flatMap(({ event: { data: r } }, i) =>
        r.players.map((p, ordinal) =>
          snakeKeys({
            reportId: reports[i]!.report_id,
            ordinal,
            team: p.team,
            guid: p.guid,
            name: p.name,
            rawName: p.rawName,
          }),
        ),
      );
      // A report id is one fact: a second delivery never reaches here (idempotent append).
      await tx.query(
        'insert into lua_round_teams select * from jsonb_populate_recordset(null::lua_round_teams, $1::jsonb) on conflict do nothing',
        [JSON.stringify(reports)],
      );
      if (players.length > 0)
        await tx.query(
          'insert into lua_round_players select * from jsonb_populate_recordset(null::lua_round_players, $1::jsonb) on conflict do nothing',
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
