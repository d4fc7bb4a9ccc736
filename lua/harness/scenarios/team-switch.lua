-- Per-player time (round /2): team switches mid-round (600 s round from B+30). Vektor Axis → Allies at 100 s;
-- bramble Allies → spectator at 200 s → Axis at 400 s; n0va Axis → Allies at 300 s → spectator at 500 s;
-- quill renames at 370 s (the report has the name at round end).
local players = require("players")
return function(ctx)
  local B = 1787181000
  local srv = ctx.Engine.new({ tmp = ctx.tmp, script = ctx.script, startUnix = B })
  srv:addPlayers(players.sixAndSpectator)
  srv:loadMap("supply")
  srv:warmupUntil(B + 20, B + 30)
  srv:runUntil(B + 130); srv:setTeam(0, 2)
  srv:runUntil(B + 230); srv:setTeam(1, 3)
  srv:runUntil(B + 330); srv:setTeam(2, 2)
  srv:runUntil(B + 400); srv:rename(5, "^2quill^7two")
  srv:runUntil(B + 430); srv:setTeam(1, 1)
  srv:runUntil(B + 530); srv:setTeam(2, 3)
  srv:runUntil(B + 630)
  srv:endRound("Timelimit hit.", 1)
  srv:run(10)
  return srv:finish()
end
