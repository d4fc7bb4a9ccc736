-- Per-player time (round /2) with no client hook at all (clientHooks = false): only the script's sweep sees the
-- changes, so each is counted within its resolution (1 s). 600 s round from B+30: a late joiner at 120 s, Vektor
-- Axis → Allies at 100 s, Ziggy leaves at 200 s, Oskar leaves at 300 s and is back in slot 9 on Axis at 360 s.
local players = require("players")
return function(ctx)
  local B = 1787188000
  local srv = ctx.Engine.new({ tmp = ctx.tmp, script = ctx.script, startUnix = B, clientHooks = false })
  srv:addPlayers(players.sixAndSpectator)
  local oskar = srv.clients[3]
  srv:loadMap("supply")
  srv:warmupUntil(B + 20, B + 30)
  srv:runUntil(B + 130); srv:setTeam(0, 2)
  srv:runUntil(B + 150); srv:connect(8, { name = "late", guid = "1A7E0000000000000000000000000008", team = 2 })
  srv:runUntil(B + 230); srv:disconnect(4)
  srv:runUntil(B + 330); srv:disconnect(3)
  srv:runUntil(B + 390); srv:connect(9, { name = oskar.name, guid = oskar.guid, team = 1 })
  srv:runUntil(B + 630)
  srv:endRound("Timelimit hit.", 1)
  srv:run(10)
  return srv:finish()
end
