-- The clock runs out (engine: Exit: Timelimit hit.) and, before intermission begins, the map script fires its
-- end-of-round too: G_LogExit prints "Exit: Wolf EndRound. (already triggered)" and changes nothing.
local players = require("players")
return function(ctx)
  local srv = ctx.Engine.new({ tmp = ctx.tmp, script = ctx.script, startUnix = 1787171000 })
  srv:addPlayers(players.sixAndSpectator)
  srv:loadMap("supply")
  srv:warmupUntil(1787171030, 1787171040)
  srv:runUntil(1787171040 + 720)
  srv.cs[14] = "\\w\\0"
  srv:print("Exit: Timelimit hit.\n")
  srv:print("Exit: Wolf EndRound. (already triggered)\n")
  srv:setGamestate(3)
  srv:run(5)
  return srv:finish()
end
