-- rcon lua_restart mid-round: ET:Legacy's G_LuaRestart = G_LuaShutdown (no et_ShutdownGame) + G_LuaInit
-- (loads the modules, no et_InitGame: that hook is only called from G_InitGame).
local players = require("players")
return function(ctx)
  local dir = ctx.tmp .. "/legacy/luascripts"; os.execute("mkdir -p " .. dir)
  local f = io.open(dir .. "/et-ledger.config.lua", "w"); f:write('return { server = "eu1", secret = "s", urls = {} }'); f:close()
  local srv = ctx.Engine.new({ tmp = ctx.tmp, script = ctx.script, startUnix = 1787171000 })
  srv:addPlayers(players.sixAndSpectator)
  srv:loadMap("supply")
  srv:warmupUntil(1787171030, 1787171040)
  srv:runUntil(1787171200)
  -- lua_restart: a fresh VM, the chunk runs, no et_InitGame
  local env = {}
  for _, k in ipairs({ "assert", "error", "ipairs", "next", "pairs", "pcall", "print", "select", "tonumber", "tostring",
    "type", "xpcall", "setmetatable", "getmetatable", "rawget", "rawset", "rawequal", "rawlen", "load", "loadfile",
    "dofile", "require", "collectgarbage", "string", "table", "math", "utf8", "io", "os", "coroutine", "debug",
    "package", "_VERSION" }) do env[k] = _G[k] end
  env._G = env; env.os = srv:makeOs(); env.et = srv:makeEt()
  env.et_ledger_clock = function() return srv:unix() end
  assert(loadfile(srv.script, "t", env))()
  srv.env, srv.dead = env, false
  srv:runUntil(1787171600)
  srv:endRound("Wolf EndRound.", 2)
  srv:run(70)
  return srv:finish()
end
