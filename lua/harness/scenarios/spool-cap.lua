-- Short rounds on distinct maps, one after the other (args[1] rounds, default 4): fills a capped spool.
local players = require("players")
return function(ctx)
  local rounds = tonumber(ctx.args[1]) or 4
  local srv = ctx.Engine.new({ tmp = ctx.tmp, script = ctx.script, startUnix = 1787176000 })
  srv:addPlayers(players.sixAndSpectator)
  for i = 1, rounds do
    srv:loadMap("map" .. i)
    srv:run(5)
    srv:warmupUntil(srv:unix() + 5, srv:unix() + 10)
    srv:run(60)
    srv:endRound("Wolf EndRound.", 2)
    srv:run(10)
  end
  return srv:finish()
end
