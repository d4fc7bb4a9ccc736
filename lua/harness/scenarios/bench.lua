-- Frame cost: et_RunFrame of et-ledger.lua with 64 clients in a running round (per-player time counted: the sweep
-- reads every slot once per 900 ms of levelTime, spread over the frames) vs an empty et_RunFrame, same engine path.
-- args[1]: frames to time (default 40000); args[2]: clients (default 64). Prints one JSON line.
return function(ctx)
  local frames = tonumber(ctx.args[1]) or 40000
  local clients = math.tointeger(tonumber(ctx.args[2])) or 64
  local function setup(script)
    local srv = ctx.Engine.new({ tmp = ctx.tmp, script = script, startUnix = 1787177000, frameMs = 25 })
    for cn = 0, clients - 1 do
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
  -- Each frame timed on its own (os.clock, µs resolution): the distribution shows the sweep's frames too.
  local function spread(srv)
    collectgarbage("collect")
    local us, clock = {}, os.clock
    for i = 1, frames do
      local t0 = clock()
      srv:frame()
      us[i] = (clock() - t0) * 1e6
    end
    table.sort(us)
    return us[math.ceil(frames * 0.99)], us[frames]
  end
  -- Lua memory the script allocates per frame (KiB over the timed frames, GC stopped): 0 means no garbage per frame.
  local function garbage(srv)
    collectgarbage("collect")
    collectgarbage("stop")
    local before = collectgarbage("count")
    for _ = 1, 4000 do srv:frame() end
    local grown = collectgarbage("count") - before
    collectgarbage("restart")
    return grown
  end
  local emptyPath = ctx.tmp .. "/empty.lua"
  local f = assert(io.open(emptyPath, "w"))
  f:write("function et_RunFrame(levelTime) end\n")
  f:close()
  local empty, script = setup(emptyPath), setup(ctx.script)
  time(empty); time(script) -- warm up
  local emptyUs, scriptUs = time(empty), time(script)
  local emptyP99, emptyMax = spread(empty)
  local scriptP99, scriptMax = spread(script)
  local emptyKiB, scriptKiB = garbage(empty), garbage(script)
  -- the intermission frame: report with the clients, spool write, queue update (no URL configured)
  local endMs, n = 0, 10
  for _ = 1, n do
    local srv = setup(ctx.script)
    srv:endRound("Wolf EndRound.", 2)
    local t0 = os.clock()
    srv:frame()
    endMs = endMs + (os.clock() - t0) * 1000
    srv:finish()
  end
  print(string.format('{"frames":%d,"players":%d,"scriptUsPerFrame":%.3f,"emptyUsPerFrame":%.3f,'
    .. '"scriptP99Us":%.3f,"scriptMaxUs":%.3f,"emptyP99Us":%.3f,"emptyMaxUs":%.3f,'
    .. '"garbageKiBPer4000Frames":{"script":%.3f,"empty":%.3f},"intermissionFrameMs":%.3f}',
    frames, clients, scriptUs, emptyUs, scriptP99, scriptMax, emptyP99, emptyMax, scriptKiB, emptyKiB, endMs / n))
  empty:finish()
  return script:finish()
end
