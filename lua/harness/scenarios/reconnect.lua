-- Per-player time (round /2): leaving and coming back (600 s round from B+30). Vektor (slot 0, Axis) leaves at
-- 100 s and comes back at 160 s in slot 10 on Allies; Ziggy (slot 4, Axis) leaves at 200 s for good; Oskar
-- (slot 3, Allies) leaves at 300 s and is back in slot 3 at 310 s as a spectator; a newcomer takes slot 4 at 370 s.
local players = require("players")
return function(ctx)
  local B = 1787182000
  local srv = ctx.Engine.new({ tmp = ctx.tmp, script = ctx.script, startUnix = B })
  srv:addPlayers(players.sixAndSpectator)
  local vektor, oskar = srv.clients[0], srv.clients[3]
  srv:loadMap("supply")
  srv:warmupUntil(B + 20, B + 30)
  srv:runUntil(B + 130); srv:disconnect(0)
  srv:runUntil(B + 190); srv:connect(10, { name = vektor.name, guid = vektor.guid, team = 2 })
  srv:runUntil(B + 230); srv:disconnect(4)
  srv:runUntil(B + 330); srv:disconnect(3)
  srv:runUntil(B + 340); srv:connect(3, { name = oskar.name, guid = oskar.guid, team = 3 })
  srv:runUntil(B + 400); srv:connect(4, { name = "newbie", guid = "4E3B1E00000000000000000000000004", team = 1 })
  srv:runUntil(B + 630)
  srv:endRound("Timelimit hit.", 1)
  srv:run(10)
  return srv:finish()
end
