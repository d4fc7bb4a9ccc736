-- The server quits mid-round with a pause open: an aborted report, the pause closed at the shutdown.
local players = require("players")
return function(ctx)
  local srv = ctx.Engine.new({ tmp = ctx.tmp, script = ctx.script, startUnix = 1787172000 })
  srv:addPlayers(players.sixAndSpectator)
  srv:loadMap("supply")
  srv:warmupUntil(1787172020, 1787172030)
  srv:runUntil(1787172200); srv:setPaused(true)
  srv:runUntil(1787172260)
  srv:shutdown(false)
  return srv:finish()
end
