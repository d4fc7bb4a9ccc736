-- Axis player (slot 0, Vektor) calls surrender; while that vote runs, an Allies player (slot 1, bramble)
-- tries callvote surrender too (engine refuses: "A vote is already in progress", no result print).
-- The Axis vote passes; engine: Vote Passed, Exit: Axis Surrender, winner Allies.
local players = require("players")
return function(ctx)
  local srv = ctx.Engine.new({ tmp = ctx.tmp, script = ctx.script, startUnix = 1787171000 })
  srv:addPlayers(players.sixAndSpectator)
  srv:loadMap("etl_frostbite")
  srv:warmupUntil(1787171030, 1787171040)
  srv:runUntil(1787171300)
  srv:callvote(0, "surrender")
  srv:runUntil(1787171305)
  srv:callvote(1, "surrender")   -- refused by the game
  srv:runUntil(1787171310)
  srv:voteResult(true, "(Y:3-N:0) Surrender [AXIS]")
  srv:endRound("Axis Surrender", 2)
  srv:run(5)
  return srv:finish()
end
