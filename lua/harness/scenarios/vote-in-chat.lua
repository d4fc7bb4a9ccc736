-- A surrender vote by Axis (slot 0). While it runs a player types "Vote Failed?" in chat: the game logs
-- "say: ^7bramble^7: ^2Vote Failed?" which reaches et_Print. The vote then passes; exit "Axis Surrender".
local players = require("players")
return function(ctx)
  local srv = ctx.Engine.new({ tmp = ctx.tmp, script = ctx.script, startUnix = 1787171000 })
  srv:addPlayers(players.sixAndSpectator)
  srv:loadMap("etl_frostbite")
  srv:warmupUntil(1787171030, 1787171040)
  srv:runUntil(1787171300)
  srv:callvote(0, "surrender")
  srv:runUntil(1787171303)
  srv:print("say: ^7bramble^7: ^2Vote Failed? lol\n")
  srv:runUntil(1787171310)
  srv:voteResult(true, "(Y:3-N:0) Surrender [AXIS]")
  srv:endRound("Axis Surrender", 2)
  srv:run(5)
  return srv:finish()
end
