-- Frame cost: et_RunFrame of et-ledger.lua with 32 players in a running round vs an empty et_RunFrame, same engine path.
-- args[1]: frames to time (default 40000). Prints one JSON line.
return function(ctx)
  local frames = tonumber(ctx.args[1]) or 40000
  local function setup(script)
    local srv = ctx.Engine.new({ tmp = ctx.tmp, script = script, startUnix = 1787177000, frameMs = 25 })
    for cn = 0, 31 do
      srv:addClient(cn, { name = string.format("^%dplayer%02d", cn % 10, cn), guid = string.format("%032X", cn),
        team = (cn % 2) + 1 })
    end
    srv:loadMap("supply")
    srv:warmupUntil(1787177010, 1787177020)
    srv:run(5)
    return srv
  end
  local function time(srv)
    collectgarbage("collect")
    local t0 = os.clock()
    for _ = 1, frames do srv:frame() end
    return (os.clock() - t0) / frames * 1e6
  end
  local emptyPath = ctx.tmp .. "/empty.lua"
  local f = assert(io.open(emptyPath, "w"))
  f:write("function et_RunFrame(levelTime) end\n")
  f:close()
  local empty, script = setup(emptyPath), setup(ctx.script)
  time(empty); time(script) -- warm up
  local emptyUs, scriptUs = time(empty), time(script)
  -- the intermission frame: report with 32 players, spool write, queue update (no URL configured)
  local endMs, n = 0, 10
  for _ = 1, n do
    local srv = setup(ctx.script)
    srv:endRound("Wolf EndRound.", 2)
    local t0 = os.clock()
    srv:frame()
    endMs = endMs + (os.clock() - t0) * 1000
    srv:finish()
  end
  print(string.format('{"frames":%d,"players":32,"scriptUsPerFrame":%.3f,"emptyUsPerFrame":%.3f,"intermissionFrameMs":%.3f}',
    frames, scriptUs, emptyUs, endMs / n))
  empty:finish()
  return script:finish()
end
