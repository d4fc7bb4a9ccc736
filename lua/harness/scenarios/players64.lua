-- Per-player time (round /2): 64 clients in all 64 slots (even slots Axis, odd Allies), 900 s round from B+30 with
-- a 30 s pause (B+530 … B+560). Slots 7, 15, …, 63 leave at B+230; slots 7, 23, 39, 55 come back (same GUID, same
-- slot and side) at B+290, the other four stay gone; every occupied slot of 0, 5, …, 60 changes sides at B+330;
-- slots 3, 19, 35, 51 go spectator at B+430. 64 players in the report, 60 still connected at the end.
return function(ctx)
  local B = 1787187000
  local srv = ctx.Engine.new({ tmp = ctx.tmp, script = ctx.script, startUnix = B })
  local function side(cn) return (cn % 2 == 0) and 1 or 2 end
  local function player(cn)
    return { name = string.format("^%dp%02d", cn % 10, cn), guid = string.format("%032X", 5000 + cn), team = side(cn) }
  end
  for cn = 0, 63 do srv:addClient(cn, player(cn)) end
  srv:loadMap("radar")
  srv:warmupUntil(B + 20, B + 30)
  srv:runUntil(B + 230)
  for cn = 7, 63, 8 do srv:disconnect(cn) end
  srv:runUntil(B + 290)
  for cn = 7, 63, 16 do srv:connect(cn, player(cn)) end
  srv:runUntil(B + 330)
  for cn = 0, 63, 5 do if srv.clients[cn] then srv:setTeam(cn, 3 - srv.clients[cn].team) end end
  srv:runUntil(B + 430)
  for cn = 3, 63, 16 do srv:setTeam(cn, 3) end
  srv:runUntil(B + 530); srv:setPaused(true)
  srv:runUntil(B + 560); srv:setPaused(false)
  srv:runUntil(B + 930)
  srv:endRound("Timelimit hit.", 1)
  srv:run(10)
  return srv:finish()
end
