-- Per-player time (round /2): late joiners. A new client joins Allies 120 s into a 600 s round, a connecting
-- client enters on Axis at 170 s, a spectator joins Axis at 270 s, a spectator who never plays is not listed.
local players = require("players")
return function(ctx)
  local B = 1787180000
  local srv = ctx.Engine.new({ tmp = ctx.tmp, script = ctx.script, startUnix = B })
  srv:addPlayers(players.sixAndSpectator) -- slot 6 watcher (spectator), slot 7 joining (connecting, Axis)
  srv:loadMap("supply")
  srv:warmupUntil(B + 20, B + 30)
  srv:runUntil(B + 150)
  srv:connect(8, { name = "^5late", guid = "1A7E0000000000000000000000000008", team = 2 })
  srv:runUntil(B + 200)
  srv:begin(7)
  srv:runUntil(B + 250)
  srv:connect(9, { name = "onlooker", guid = "0B5E0000000000000000000000000009", team = 3 })
  srv:runUntil(B + 300)
  srv:setTeam(6, 1)
  srv:runUntil(B + 630)
  srv:endRound("Timelimit hit.", 1)
  srv:run(10)
  return srv:finish()
end
