-- Per-player time (round /2): more clients over one round than slots. 600 s round from B+30; slots 0-15 play all
-- round; in slots 16-31 a new client (new GUID) replaces the last every 60 s: 16 + 16 × 10 = 176 players listed.
-- args[1] = "bloat": every name is 40 control bytes (6 JSON bytes each), 300 s rotations of 10 s — the report
-- would pass 64 KiB, so the players with the least time are left out until it fits.
return function(ctx)
  local B = 1787189000
  local bloat = ctx.args[1] == "bloat"
  local every = bloat and 10 or 60
  local rounds = bloat and 30 or 10
  local srv = ctx.Engine.new({ tmp = ctx.tmp, script = ctx.script, startUnix = B })
  local function name(tag) return bloat and (string.rep("\1", 40) .. tag) or tag end
  for cn = 0, 15 do
    srv:addClient(cn, { name = name(string.format("stay%02d", cn)), guid = string.format("%032X", 7000 + cn),
      team = (cn % 2 == 0) and 1 or 2 })
  end
  local gen = 0
  local function fill()
    for cn = 16, 31 do
      local c = { name = name(string.format("g%02dc%02d", gen, cn)), guid = string.format("%032X", 8000 + gen * 100 + cn),
        team = (cn % 2 == 0) and 1 or 2 }
      if gen == 0 then srv:addClient(cn, c) else srv:connect(cn, c) end
    end
  end
  fill()
  srv:loadMap("oasis")
  srv:warmupUntil(B + 20, B + 30)
  for g = 1, rounds - 1 do
    srv:runUntil(B + 30 + g * every)
    for cn = 16, 31 do srv:disconnect(cn) end
    gen = g
    fill()
  end
  srv:runUntil(B + 30 + rounds * every)
  if bloat then srv:runUntil(B + 630) end
  srv:endRound("Timelimit hit.", 1)
  srv:run(10)
  return srv:finish()
end
