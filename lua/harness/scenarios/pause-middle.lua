-- Per-player time (round /2): a 90 s pause in the middle of a 600 s round (B+30 … B+630, paused B+200 … B+290).
-- During the pause quill switches to Axis, a newcomer joins Allies and Ziggy leaves: paused time never counts.
local players = require("players")
return function(ctx)
  local B = 1787183000
  local srv = ctx.Engine.new({ tmp = ctx.tmp, script = ctx.script, startUnix = B })
  srv:addPlayers(players.sixAndSpectator)
  srv:loadMap("supply")
  srv:warmupUntil(B + 20, B + 30)
  srv:runUntil(B + 200); srv:setPaused(true)
  srv:runUntil(B + 240); srv:setTeam(5, 1)
  srv:runUntil(B + 250); srv:connect(8, { name = "pauser", guid = "9A05E000000000000000000000000008", team = 2 })
  srv:runUntil(B + 260); srv:disconnect(4)
  srv:runUntil(B + 290); srv:setPaused(false)
  srv:runUntil(B + 630)
  srv:endRound("Wolf EndRound.", 2)
  srv:run(10)
  return srv:finish()
end
