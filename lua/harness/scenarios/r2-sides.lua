-- Per-player time (round /2), stopwatch: R1 (180 s) then R2 (120 s) with the sides swapped by the engine. Each round
-- counts by the side the client is on in it; nothing carries over. In R2 n0va switches back to Axis at 100 s.
local players = require("players")
return function(ctx)
  local B = 1787185000
  local srv = ctx.Engine.new({ tmp = ctx.tmp, script = ctx.script, startUnix = B })
  srv:addPlayers(players.sixAndSpectator)
  srv:loadMap("supply")
  srv:warmupUntil(B + 20, B + 30)
  srv:runUntil(B + 210)
  srv.cvars.g_currentRound = "1"
  srv:endRound("Wolf EndRound.", 2)
  srv:run(20)
  srv:swapTeams()
  srv:mapRestart()
  srv:warmupUntil(B + 250, B + 260)
  srv:runUntil(B + 360); srv:setTeam(2, 1)
  srv:runUntil(B + 380)
  srv.cvars.g_currentRound = "0"
  srv:endRound("Wolf EndRound.", 1)
  srv:run(10)
  return srv:finish()
end
