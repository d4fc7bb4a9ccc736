-- Per-player time (round /2): bots, which have no GUID (300 s round from B+30). Two bots without cl_guid, one
-- with an empty cl_guid; the Axis bot in slot 9 leaves at 100 s and another bot takes slot 9 on Axis at 150 s.
local players = require("players")
return function(ctx)
  local B = 1787186000
  local srv = ctx.Engine.new({ tmp = ctx.tmp, script = ctx.script, startUnix = B })
  srv:addPlayers(players.sixAndSpectator)
  srv:addClient(8, { name = "[BOT]^1Axel", team = 2, bot = true })
  srv:addClient(9, { name = "[BOT]Bruno", team = 1, bot = true })
  srv:addClient(10, { name = "[BOT]Cleo", guid = "", team = 2 })
  srv:loadMap("supply")
  srv:warmupUntil(B + 20, B + 30)
  srv:runUntil(B + 130); srv:disconnect(9)
  srv:runUntil(B + 180); srv:connect(9, { name = "[BOT]Dora", team = 1, bot = true })
  srv:runUntil(B + 330)
  srv:endRound("Wolf EndRound.", 2)
  srv:run(10)
  return srv:finish()
end
