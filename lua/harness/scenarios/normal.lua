-- supply R1 as in spec/lua-report.md's example: 45 s warmup, two pauses (47 s, 31 s), objective at 10:21 wall clock.
local players = require("players")
return function(ctx)
  local srv = ctx.Engine.new({ tmp = ctx.tmp, script = ctx.script, startUnix = 1787167800, constants = true })
  srv:addPlayers(players.sixAndSpectator)
  srv:loadMap("supply", 4)
  srv:runUntil(1787167827)
  srv:warmupUntil(1787167862, 1787167872)
  srv:runUntil(1787168073); srv:setPaused(true)
  srv:runUntil(1787168120); srv:setPaused(false)
  srv:runUntil(1787168268); srv:setPaused(true)
  srv:runUntil(1787168299); srv:setPaused(false)
  srv:runUntil(1787168493)
  srv.cvars.g_currentRound = "1" -- the engine flips it at R1's end; the report keeps the value read at start
  srv:endRound("Wolf EndRound.", 2)
  srv:run(30)
  srv:mapRestart() -- stopwatch: R2's warmup in a fresh script state; no second report for R1
  srv:run(20)
  return srv:finish()
end
