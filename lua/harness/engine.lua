-- A simulated ET:Legacy 2.8x game module for testing lua/et-ledger.lua under a real Lua 5.4: the part of the
-- `et` API the script uses, cvars, configstrings, clients, a frame clock, and the mod's hook calling rules
-- (a hook that raises stops the script for the map; a hook's return value is recorded, since some veto).
-- Each map load or map_restart runs the script in a fresh environment, as the mod reloads every module.

local Engine = {}
Engine.__index = Engine

Engine.GS = { PLAYING = 0, WARMUP_COUNTDOWN = 1, WARMUP = 2, INTERMISSION = 3 }
Engine.CS = { LEVEL_START_TIME = 11, MULTI_INFO = 13, MULTI_MAPWINNER = 14, SERVERTOGGLES = 32 }
Engine.TEAM = { AXIS = 1, ALLIES = 2, SPECTATOR = 3 }

local STDLIB = { "assert", "error", "ipairs", "next", "pairs", "pcall", "print", "select", "tonumber", "tostring",
  "type", "xpcall", "setmetatable", "getmetatable", "rawget", "rawset", "rawequal", "rawlen", "load", "loadfile",
  "dofile", "require", "collectgarbage", "string", "table", "math", "utf8", "io", "os", "coroutine", "debug",
  "package", "_VERSION" }

-- opts: tmp (folder: fs_homepath), script (path), startUnix, frameMs (50 = sv_fps 20), constants (export et.CS_*),
-- clientHooks (false: connect/disconnect/team changes call no hook, so only the script's sweep sees them)
function Engine.new(opts)
  local self = setmetatable({}, Engine)
  self.tmp = opts.tmp
  self.script = opts.script
  self.unixMs = opts.startUnix * 1000
  self.levelTime = 10000
  self.frameMs = opts.frameMs or 50
  self.constants = opts.constants or false
  self.clientHooks = opts.clientHooks ~= false
  self.cvars = {
    gamestate = "-1", g_currentRound = "0", g_gametype = "3", timelimit = "12", mapname = "supply",
    fs_homepath = opts.tmp, fs_basepath = opts.tmp .. "/basepath", fs_game = "legacy", sv_maxclients = "64",
    net_port = "27960",
  }
  self.cs = { [11] = "0", [13] = "\\o\\4\\d\\0\\s\\2", [14] = "", [32] = "0" }
  self.clients = {}
  self.argv = {}
  self.faults = {}
  self.hookErrors, self.hookReturns, self.hookCalls = 0, 0, 0
  self.pendingMarkers = {}
  self.syncCurl = false
  self.clockFault = nil
  self.logFile = assert(io.open(opts.tmp .. "/server.log", "a"))
  return self
end

function Engine:unix() return self.unixMs // 1000 end

function Engine:writeLog(text)
  self.logFile:write(text)
  self.logFile:flush()
end

-- A fault is a function(args…) that may raise; it runs before the engine call it is registered for.
function Engine:fault(name, f) self.faults[name] = f end

function Engine:makeEt()
  local srv = self
  local function check(name, ...)
    local f = srv.faults[name]
    if f then f(...) end
  end
  local e = {}
  function e.trap_Cvar_Get(name)
    check("trap_Cvar_Get", name)
    return srv.cvars[name] or ""
  end
  function e.trap_Cvar_Set(name, value)
    check("trap_Cvar_Set", name, value)
    srv.cvars[name] = tostring(value)
  end
  function e.trap_GetConfigstring(index)
    check("trap_GetConfigstring", index)
    return srv.cs[index] or ""
  end
  function e.gentity_get(clientNum, field)
    check("gentity_get", clientNum, field)
    if math.type(clientNum) ~= "integer" or clientNum < 0 or clientNum >= 1024 then
      error("gentity_get: entity number out of range")
    end
    local c = srv.clients[clientNum]
    if field == "pers.connected" then return c and c.connected or 0 end
    if field == "sess.sessionTeam" then return c and c.team or 0 end
    if field == "pers.netname" then return c and c.name or "" end
    error('tried to get invalid gentity field "' .. tostring(field) .. '"')
  end
  function e.trap_GetUserinfo(clientNum)
    check("trap_GetUserinfo", clientNum)
    local c = srv.clients[clientNum]
    if not c then return "" end
    if c.bot then return "\\name\\" .. c.name:gsub("\\", "") .. "\\rate\\25000" end -- a bot: no cl_guid at all
    return "\\name\\" .. c.name:gsub("\\", "") .. "\\cl_guid\\" .. c.guid .. "\\rate\\25000"
  end
  function e.Info_ValueForKey(info, key)
    for k, v in info:gmatch("\\([^\\]*)\\([^\\]*)") do if k == key then return v end end
    return ""
  end
  function e.G_Print(text) srv:writeLog(text) end
  function e.G_LogPrint(text) srv:writeLog(text) end
  function e.trap_Milliseconds() return srv.levelTime end
  function e.trap_Argc() return #srv.argv end
  function e.trap_Argv(i) return srv.argv[i + 1] or "" end
  function e.RegisterModname(name) srv.modname = name end
  if self.constants then
    e.CS_LEVEL_START_TIME, e.CS_MULTI_INFO = Engine.CS.LEVEL_START_TIME, Engine.CS.MULTI_INFO
    e.CS_MULTI_MAPWINNER, e.CS_SERVERTOGGLES = Engine.CS.MULTI_MAPWINNER, Engine.CS.SERVERTOGGLES
  end
  return e
end

-- Background commands get tracked so `syncCurl` can wait (real time) for their exit markers: it makes a
-- simulated clock that runs faster than the wall clock safe for delivery tests.
function Engine:makeOs()
  local srv = self
  local wrapped = setmetatable({}, { __index = os })
  function wrapped.execute(cmd)
    if cmd and cmd:match("&%s*$") then
      local marker
      for quoted in cmd:gmatch("'([^']*)'") do if quoted:match("%.exit$") then marker = quoted end end
      if marker then srv.pendingMarkers[#srv.pendingMarkers + 1] = marker end
      srv.launches = (srv.launches or 0) + 1
    end
    return os.execute(cmd)
  end
  return wrapped
end

function Engine:load(restart)
  local env = {}
  for _, k in ipairs(STDLIB) do env[k] = _G[k] end
  env._G = env
  env.os = self:makeOs()
  env.et = self:makeEt()
  env.et_ledger_clock = function()
    if self.clockFault then self.clockFault() end
    return self:unix()
  end
  local chunk = assert(loadfile(self.script, "t", env))
  local ok, err = pcall(chunk)
  if not ok then
    self:writeLog("Lua API: load error: " .. tostring(err) .. "\n")
    self.hookErrors = self.hookErrors + 1
    return
  end
  self.env, self.dead = env, false
  self:hook("et_InitGame", self.levelTime, 1234, restart and 1 or 0)
end

function Engine:hook(name, ...)
  if not self.env or self.dead then return end
  local f = rawget(self.env, name)
  if type(f) ~= "function" then return end
  self.hookCalls = self.hookCalls + 1
  local res = table.pack(pcall(f, ...))
  if not res[1] then
    self.hookErrors = self.hookErrors + 1
    self.dead = true
    self:writeLog("Lua API: " .. name .. " error running lua script: " .. tostring(res[2]) .. "\n")
  elseif res.n > 1 then
    self.hookReturns = self.hookReturns + 1
    self:writeLog("HARNESS: " .. name .. " returned a value\n")
  end
  if self.syncCurl then self:settleCurl() end
end

function Engine:settleCurl(timeoutSec)
  local deadline = os.time() + (timeoutSec or 30)
  while #self.pendingMarkers > 0 do
    local marker = self.pendingMarkers[1]
    local f = io.open(marker, "rb")
    if f then
      f:close()
      table.remove(self.pendingMarkers, 1)
    elseif os.time() > deadline then
      error("no exit marker after " .. (timeoutSec or 30) .. " s: " .. marker)
    else
      os.execute("sleep 0.05")
    end
  end
end

function Engine:shutdown(restart)
  self:hook("et_ShutdownGame", restart and 1 or 0)
  self.env = nil
end

function Engine:frame()
  self.unixMs = self.unixMs + self.frameMs
  if not self.paused then self.levelTime = self.levelTime + self.frameMs end
  self:hook("et_RunFrame", self.levelTime)
end

function Engine:runUntil(unix)
  while self.unixMs < unix * 1000 do self:frame() end
end

function Engine:run(sec) self:runUntil(self:unix() + sec) end

function Engine:print(text)
  self:writeLog(text)
  self:hook("et_Print", text)
end

function Engine:setGamestate(gs) self.cvars.gamestate = tostring(gs) end

-- A client already in its slot (no hook): c = {name, guid (nil: none), team, connected (default 2), bot}.
function Engine:addClient(cn, c)
  self.clients[cn] = { name = c.name, guid = c.guid or "", team = c.team, connected = c.connected or 2, bot = c.bot }
end

-- Client changes between two frames, with the hooks the game calls for them (unless clientHooks is false).
function Engine:clientHook(name, ...)
  if self.clientHooks then self:hook(name, ...) end
end

-- A client connects and enters the game on c.team: ClientConnect (connecting), ClientUserinfoChanged, ClientBegin.
function Engine:connect(cn, c)
  assert(not self.clients[cn], "slot in use")
  self.clients[cn] = { name = c.name, guid = c.guid or "", team = 3, connected = 1, bot = c.bot }
  self:clientHook("et_ClientConnect", cn, 1, c.bot and 1 or 0)
  self:clientHook("et_ClientUserinfoChanged", cn)
  self.clients[cn].connected = 2
  self.clients[cn].team = c.team
  self:clientHook("et_ClientBegin", cn)
end

-- A client that was connecting (connected = 1) enters the game: ClientBegin.
function Engine:begin(cn)
  self.clients[cn].connected = 2
  self:clientHook("et_ClientBegin", cn)
end

-- ClientDisconnect: the hook runs while the client is still in its slot, then the slot is freed.
function Engine:disconnect(cn)
  assert(self.clients[cn], "no client in slot")
  self:clientHook("et_ClientDisconnect", cn)
  self.clients[cn] = nil
end

-- SetTeam (a team command, an admin's putteam): the team changes, then ClientUserinfoChanged and ClientBegin.
function Engine:setTeam(cn, team)
  self.clients[cn].team = team
  self:clientHook("et_ClientUserinfoChanged", cn)
  self:clientHook("et_ClientBegin", cn)
end

function Engine:rename(cn, name)
  self.clients[cn].name = name
  self:clientHook("et_ClientUserinfoChanged", cn)
end

-- Stopwatch: the map_restart into round 2 puts every player on the other side (no hook; the script reloads).
function Engine:swapTeams()
  for _, c in pairs(self.clients) do
    if c.team == 1 then c.team = 2 elseif c.team == 2 then c.team = 1 end
  end
end

function Engine:addPlayers(list)
  for cn, p in ipairs(list) do self:addClient(cn - 1, p) end
end

function Engine:setPaused(on)
  local t = math.tointeger(tonumber(self.cs[32])) or 0
  self.cs[32] = tostring(on and (t | 16) or (t & ~16))
  self.paused = on
end

-- Map load: the script starts in warmup (or `gs`, e.g. 4 waiting for players).
function Engine:loadMap(map, gs)
  if self.env then self:shutdown(false) end
  self.cvars.mapname = map
  self:setGamestate(gs or Engine.GS.WARMUP)
  self:load(false)
end

-- Warmup until `countdownAt`, the countdown until `startAt`, then the map_restart that starts the round.
function Engine:warmupUntil(countdownAt, startAt)
  self:setGamestate(Engine.GS.WARMUP)
  self:runUntil(countdownAt)
  self:setGamestate(Engine.GS.WARMUP_COUNTDOWN)
  self:runUntil(startAt)
  self:beginRound()
end

function Engine:beginRound()
  if self.env then self:shutdown(true) end
  self:setGamestate(Engine.GS.PLAYING)
  self.cs[11] = tostring(self.levelTime)
  self.cs[14] = ""
  self:load(true)
end

-- exit: the engine's exit print text or nil; winner 1 Axis / 2 Allies / 0 none.
function Engine:endRound(exit, winner)
  if winner and winner > 0 then self.cs[14] = "\\w\\" .. (winner - 1) else self.cs[14] = "\\w\\-1" end
  if exit then self:print("Exit: " .. exit .. "\n") end
  self:setGamestate(Engine.GS.INTERMISSION)
end

-- An admin's map_restart: the round in progress dies; the map starts over in warmup.
function Engine:mapRestart()
  self:shutdown(true)
  self:setGamestate(Engine.GS.WARMUP)
  self:load(true)
end

function Engine:callvote(clientNum, what)
  self.argv = { "callvote", what }
  self:hook("et_ClientCommand", clientNum, "callvote")
  self.argv = {}
end

function Engine:voteResult(passed, what)
  self:print((passed and "Vote Passed: " or "Vote Failed: ") .. what .. "\n")
end

function Engine:spoolDir() return self.tmp .. "/legacy/et-ledger" end

-- Summary line the tests read; a non-zero exit when the mod would have stopped the script or saw a veto.
function Engine:finish()
  if self.env then self:shutdown(false) end
  local fh = io.open(self.tmp .. "/.clock", "w")
  if fh then fh:write(tostring(self:unix())) fh:close() end
  local summary = string.format("HARNESS hookCalls=%d hookErrors=%d hookReturns=%d launches=%d unix=%d",
    self.hookCalls, self.hookErrors, self.hookReturns, self.launches or 0, self:unix())
  print(summary)
  self.logFile:close()
  return (self.hookErrors == 0 and self.hookReturns == 0) and 0 or 3
end

return Engine
