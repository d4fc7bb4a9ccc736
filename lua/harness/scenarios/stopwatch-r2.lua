-- supply R2 (stopwatch): fractional limit 9.05875 min, a passed surrender vote called by an Allies player.
local players = require("players")
return function(ctx)
  local srv = ctx.Engine.new({ tmp = ctx.tmp, script = ctx.script, startUnix = 1787168520 })
  srv:addPlayers(players.sixAndSpectator)
  srv.cvars.g_currentRound = "1"
  srv.cvars.timelimit = "9.05875"
  srv:loadMap("supply", 3) -- R1's intermission, then the map_restart into R2's warmup
  srv:run(10)
  srv:mapRestart()
  srv:runUntil(1787168579)
  srv:warmupUntil(1787168579, 1787168589)
  srv:runUntil(1787168840)
  srv:callvote(1, "surrender")
  srv:runUntil(1787168848)
  srv:voteResult(true, "surrender")
  srv:runUntil(1787168854)
  srv.cvars.g_currentRound = "0"
  srv:endRound("Allies Surrender", 1)
  srv:run(30)
  return srv:finish()
end
