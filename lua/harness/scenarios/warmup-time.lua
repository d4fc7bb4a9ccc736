-- Per-player time (round /2): 5 min of warmup (waiting for players, warmup, countdown) with team changes, joins
-- and a player who leaves a team before the round: none of it counts. The round runs 300 s (B+330 … B+630).
local players = require("players")
return function(ctx)
  local B = 1787184000
  local srv = ctx.Engine.new({ tmp = ctx.tmp, script = ctx.script, startUnix = B })
  srv:addPlayers(players.sixAndSpectator)
  srv:loadMap("supply", 4)
  srv:runUntil(B + 60)
  srv:setGamestate(ctx.Engine.GS.WARMUP)
  srv:runUntil(B + 100); srv:setTeam(0, 2)              -- Vektor plays warmup on Allies …
  srv:runUntil(B + 150); srv:setTeam(0, 1)              -- … and is back on Axis for the round
  srv:runUntil(B + 200); srv:setTeam(6, 1)              -- the watcher warms up on Axis …
  srv:runUntil(B + 250); srv:setTeam(6, 3)              -- … and spectates the round: never listed
  srv:connect(8, { name = "early", guid = "EA41E000000000000000000000000008", team = 2 })
  srv:warmupUntil(B + 320, B + 330)
  srv:runUntil(B + 630)
  srv:endRound("Timelimit hit.", 1)
  srv:run(10)
  return srv:finish()
end
