-- 32 players (16 a side) spread over 40 slots of 64, with spectators and connecting clients between them.
return function(ctx)
  local srv = ctx.Engine.new({ tmp = ctx.tmp, script = ctx.script, startUnix = 1787173000 })
  local playing = 0
  for cn = 0, 39 do
    if cn % 5 == 4 then
      srv:addClient(cn, { name = "spec" .. cn, guid = string.format("%032X", cn), team = (cn % 2 == 0) and 3 or 1,
        connected = (cn % 2 == 0) and 2 or 1 })
    else
      playing = playing + 1
      srv:addClient(cn, { name = string.format("^%dp%02d", playing % 10, playing), guid = string.format("%032X", 1000 + cn),
        team = (playing % 2 == 1) and 1 or 2 })
    end
  end
  srv:loadMap("radar")
  srv:warmupUntil(1787173030, 1787173040)
  srv:runUntil(1787173640)
  srv:endRound("Timelimit hit.", 1)
  srv:run(10)
  return srv:finish()
end
