-- Omni-bots as ET:Legacy adds them: userinfo cl_guid "OMNIBOT<slot 2 digits>" + 23 spaces
-- (src/game/etbot/g_etbot_interface.cpp AddBot). Bot Bruno in slot 9 (Axis) is kicked at 100 s, bot Dora
-- is added into slot 9 on Axis at 150 s. 300 s round.
local players = require("players")
return function(ctx)
  local B = 1787186000
  local G = "OMNIBOT09" .. string.rep(" ", 23)
  local srv = ctx.Engine.new({ tmp = ctx.tmp, script = ctx.script, startUnix = B })
  srv:addPlayers(players.sixAndSpectator)
  srv:addClient(9, { name = "[BOT]Bruno", guid = G, team = 1 })
  srv:loadMap("supply")
  srv:warmupUntil(B + 20, B + 30)
  srv:runUntil(B + 130); srv:disconnect(9)
  srv:runUntil(B + 180); srv:connect(9, { name = "[BOT]Dora", guid = G, team = 1 })
  srv:runUntil(B + 330)
  srv:endRound("Wolf EndRound.", 2)
  srv:run(10)
  return srv:finish()
end
