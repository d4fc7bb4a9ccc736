-- Delivery, part 1 (receiver down): a round's report is spooled and attempted twice with real curl; both fail.
-- args[1]: the simulated clock's start (unix), kept near the wall clock for signature freshness;
-- args[2]: seconds of intermission after the round (default 130).
local players = require("players")
return function(ctx)
  local base = math.tointeger(tonumber(ctx.args[1])) or os.time()
  local srv = ctx.Engine.new({ tmp = ctx.tmp, script = ctx.script, startUnix = base })
  srv.syncCurl = true
  srv:addPlayers(players.sixAndSpectator)
  srv:loadMap("supply")
  srv:warmupUntil(base + 5, base + 10)
  srv:run(30)
  srv:endRound("Wolf EndRound.", 2)
  srv:run(tonumber(ctx.args[2]) or 130)
  return srv:finish()
end
