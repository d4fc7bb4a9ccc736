-- Delivery, part 2 (receiver up): the next map's fresh script state; its sweeps retry and deliver once.
-- args[1]: the simulated clock's start (unix), after part 1's end.
return function(ctx)
  local base = math.tointeger(tonumber(ctx.args[1])) or os.time()
  local srv = ctx.Engine.new({ tmp = ctx.tmp, script = ctx.script, startUnix = base })
  srv.syncCurl = true
  srv:loadMap("goldrush")
  srv:run(400)
  return srv:finish()
end
