-- The clock runs out. G_LogExit prints "Exit: Timelimit hit." and then one "score:" line per player with
-- the player's netname (g_main.c G_LogExit); all go through G_Printf -> et_Print. One Allies player is named
-- "Exit: Axis Surrender" (':' and spaces are allowed in netnames).
local players = require("players")
return function(ctx)
  local srv = ctx.Engine.new({ tmp = ctx.tmp, script = ctx.script, startUnix = 1787171000 })
  srv:addPlayers(players.sixAndSpectator)
  srv.clients[5].name = "Exit: Axis Surrender"
  srv:loadMap("supply")
  srv:warmupUntil(1787171030, 1787171040)
  srv:runUntil(1787171040 + 720)
  srv.cs[14] = "\\w\\0"                      -- defenders (Axis) held
  srv:print("Exit: Timelimit hit.\n")
  for cn = 0, 5 do srv:print(string.format("score: 10  ping: 40  client: %d %s\n", cn, srv.clients[cn].name)) end
  srv:print("axis:0  allies:0\n")
  srv:setGamestate(3)
  srv:run(5)
  return srv:finish()
end
