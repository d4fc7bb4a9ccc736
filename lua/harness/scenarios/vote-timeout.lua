-- An Axis surrender vote (slot 0, Vektor) times out: the engine prints "Vote TIMEOUT!", not "Vote Failed".
-- Twenty seconds later a referee ends the round as an Axis surrender with no callvote of anyone's: the vote
-- that timed out is no caller.
local players = require("players")
return function(ctx)
  local srv = ctx.Engine.new({ tmp = ctx.tmp, script = ctx.script, startUnix = 1787171000 })
  srv:addPlayers(players.sixAndSpectator)
  srv:loadMap("etl_frostbite")
  srv:warmupUntil(1787171030, 1787171040)
  srv:runUntil(1787171300)
  srv:callvote(0, "surrender")
  srv:runUntil(1787171305)
  srv:print("Vote TIMEOUT!\n")
  srv:runUntil(1787171325)
  srv:endRound("Axis Surrender", 2)
  srv:run(5)
  return srv:finish()
end
