-- et-ledger.lua: round-end and pause reports for et-ledger, from an ET:Legacy 2.8x server (Lua 5.4 in the mod).
-- Report shapes, engine facts and delivery rules: shared/spec/lua-report.md. Install notes: lua/README.md.
-- The mod reloads this file on every et_InitGame, map_restart included: everything below lives for one round.
-- What must outlive a round is on disk (spool folder + its queue file) or in a cvar (the warmup start).

local VERSION = "1.1.0"
local et = et

-- Engine facts (numeric fallbacks: et.CS_* / et.GS_* may be missing in the API).
local GS_PLAYING, GS_WARMUP_COUNTDOWN, GS_WARMUP, GS_INTERMISSION = 0, 1, 2, 3
local CS_LEVEL_START_TIME = et.CS_LEVEL_START_TIME or 11
local CS_MULTI_INFO = et.CS_MULTI_INFO or 13
local CS_MULTI_MAPWINNER = et.CS_MULTI_MAPWINNER or 14
local CS_SERVERTOGGLES = et.CS_SERVERTOGGLES or 32
local TOGGLE_PAUSED = 16
local CON_CONNECTED = 2
local TEAM_AXIS, TEAM_ALLIES = 1, 2
local WARMUP_CVAR = "etl_ledger_warmup"
local MAX_REPORT_BYTES = 65536
local SWEEP_EVERY_SEC = 60
local FIRST_SWEEP_AFTER_SEC = 5
local VOTE_WINDOW_SEC = 35      -- a callvote whose result print does not come within this is forgotten
local MAX_LAUNCHES_PER_SWEEP = 4 -- bounds the curl processes a long outage can start at once
local MAX_LOGGED_ERRORS = 64

local sfind, sformat, sgsub, sbyte, schar, srep = string.find, string.format, string.gsub, string.byte, string.char, string.rep

---------------------------------------------------------------- log, guards, clock

local logged, loggedCount = {}, 0

local function log(msg)
  pcall(et.G_Print, "et-ledger: " .. msg .. "\n")
end

-- Repeating failures (one each frame) print once per site, so a broken call cannot flood the console.
local function logOnce(site, msg)
  if logged[site] then return end
  loggedCount = loggedCount + 1
  if loggedCount > MAX_LOGGED_ERRORS then return end
  logged[site] = true
  log(msg)
end

local function try(site, f, ...)
  local ok, a = pcall(f, ...)
  if ok then return a end
  logOnce(site, "engine call " .. site .. " failed: " .. tostring(a))
  return nil
end

local cvarSite = setmetatable({}, { __index = function(t, k) local v = "trap_Cvar_Get(" .. k .. ")"; t[k] = v; return v end })
local csSite = setmetatable({}, { __index = function(t, k) local v = "trap_GetConfigstring(" .. k .. ")"; t[k] = v; return v end })

local function cvar(name)
  local v = try(cvarSite[name], et.trap_Cvar_Get, name)
  if type(v) == "string" then return v end
  return nil
end

local function configstring(index)
  local v = try(csSite[index], et.trap_GetConfigstring, index)
  if type(v) == "string" then return v end
  return nil
end

local function gentity(clientNum, field)
  return try("gentity_get(" .. field .. ")", et.gentity_get, clientNum, field)
end

-- Unix seconds. The test harness replaces the clock through the global `et_ledger_clock`; the engine never sets it.
local function now()
  local clock = et_ledger_clock
  local t = clock and clock() or os.time()
  return math.tointeger(math.floor(t))
end

---------------------------------------------------------------- text: info strings, UTF-8, names, JSON

local function infoValue(info, key)
  if type(info) ~= "string" then return nil end
  for k, v in info:gmatch("\\([^\\]*)\\([^\\]*)") do
    if k == key then return v end
  end
  return nil
end

-- Windows-1252's 0x80–0x9F as code points (the five bytes it leaves undefined stay C1 controls);
-- 0xA0–0xFF are Latin-1. The ledger decodes with the same table (src/parser/names.ts).
local CP1252_HIGH = { 0x20AC, 0x81, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
  0x2039, 0x0152, 0x8D, 0x017D, 0x8F, 0x90, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC,
  0x2122, 0x0161, 0x203A, 0x0153, 0x9D, 0x017E, 0x0178 }
local cp1252Char = {}
for byte = 0x80, 0xFF do cp1252Char[string.char(byte)] = utf8.char(CP1252_HIGH[byte - 0x7F] or byte) end

-- Engine bytes as text, by the stats parser's rule, so a name reads the same in a stats file and in
-- our report: valid UTF-8 as is (Lua's strict decoder, like the ledger's: no overlongs, no
-- surrogates, nothing above U+10FFFF), anything else every byte as Windows-1252. Lossless.
local function decodeName(s)
  if utf8.len(s) then return s end
  return (sgsub(s, "[\128-\255]", cp1252Char))
end

-- Whitespace that JavaScript's String.prototype.trim removes, as UTF-8 (the ledger cleans names the same way).
local trimmable = {}
for _, cp in ipairs({ 9, 10, 11, 12, 13, 32, 0xA0, 0x1680, 0x2000, 0x2001, 0x2002, 0x2003, 0x2004, 0x2005, 0x2006,
  0x2007, 0x2008, 0x2009, 0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000, 0xFEFF }) do
  trimmable[utf8.char(cp)] = true
end

local function trim(s)
  local first, last = 1, #s
  while first <= last do
    local len = #(s:match("^" .. utf8.charpattern, first) or "x")
    if not trimmable[s:sub(first, first + len - 1)] then break end
    first = first + len
  end
  while last >= first do
    local start = last
    while start > first and (sbyte(s, start) & 0xC0) == 0x80 do start = start - 1 end
    if not trimmable[s:sub(start, last)] then break end
    last = start - 1
  end
  return s:sub(first, last)
end

local function dropControls(s)
  return (sgsub(sgsub(s, "[%z\1-\31\127]", ""), "\194[\128-\159]", ""))
end

-- `name` of the spec: control characters (C0, DEL, C1) and colour codes (`^` + any character but `^`) removed.
local function cleanName(raw)
  local s = dropControls(raw)
  s = sgsub(s, "%^[^%^][\128-\191]*", "")
  return trim(dropControls(s))
end

local function rawName(bytes)
  if type(bytes) ~= "string" then return "" end
  return decodeName(bytes)
end

local JSON_ESCAPED = '[%z\1-\31"\\\127]'

local function jsonString(s)
  if not sfind(s, JSON_ESCAPED) then return '"' .. s .. '"' end
  return '"' .. sgsub(s, JSON_ESCAPED, function(c)
    if c == '"' then return '\\"' end
    if c == "\\" then return "\\\\" end
    return sformat("\\u%04x", sbyte(c))
  end) .. '"'
end

local function jsonNumber(x)
  local i = math.tointeger(x)
  if i then return sformat("%d", i) end
  if x ~= x or x == math.huge or x == -math.huge then return "null" end
  return sformat("%.14g", x)
end

-- Objects carry their key order in `__keys` (reports are compared byte for byte); any other table is an array.
local function object(keys, t)
  t.__keys = keys
  return t
end

local function jsonEncode(v)
  local tv = type(v)
  if v == nil then return "null" end
  if tv == "boolean" then return v and "true" or "false" end
  if tv == "number" then return jsonNumber(v) end
  if tv == "string" then return jsonString(v) end
  local parts = {}
  if v.__keys then
    for i, k in ipairs(v.__keys) do parts[i] = jsonString(k) .. ":" .. jsonEncode(v[k]) end
    return "{" .. table.concat(parts, ",") .. "}"
  end
  for i = 1, #v do parts[i] = jsonEncode(v[i]) end
  return "[" .. table.concat(parts, ",") .. "]"
end

---------------------------------------------------------------- SHA-256 and HMAC (FIPS 180-4, RFC 2104), 64-bit integer ops

local K = {
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
}
local M32 = 0xffffffff

-- Rotations leave garbage above bit 31; every value that is kept is masked, so the garbage never matters.
local function sha256(msg)
  local h0, h1, h2, h3, h4, h5, h6, h7 =
    0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19
  local len = #msg
  msg = msg .. "\128" .. srep("\0", (55 - len) % 64) .. string.pack(">I8", len * 8)
  local w = {}
  for chunk = 1, #msg, 64 do
    for i = 1, 16 do w[i] = string.unpack(">I4", msg, chunk + (i - 1) * 4) end
    for i = 17, 64 do
      local x, y = w[i - 15], w[i - 2]
      local s0 = ((x >> 7) | (x << 25)) ~ ((x >> 18) | (x << 14)) ~ (x >> 3)
      local s1 = ((y >> 17) | (y << 15)) ~ ((y >> 19) | (y << 13)) ~ (y >> 10)
      w[i] = (w[i - 16] + s0 + w[i - 7] + s1) & M32
    end
    local a, b, c, d, e, f, g, h = h0, h1, h2, h3, h4, h5, h6, h7
    for i = 1, 64 do
      local S1 = ((e >> 6) | (e << 26)) ~ ((e >> 11) | (e << 21)) ~ ((e >> 25) | (e << 7))
      local ch = (e & f) ~ (~e & g)
      local t1 = h + S1 + ch + K[i] + w[i]
      local S0 = ((a >> 2) | (a << 30)) ~ ((a >> 13) | (a << 19)) ~ ((a >> 22) | (a << 10))
      local maj = (a & b) ~ (a & c) ~ (b & c)
      h, g, f, e, d, c, b, a = g, f, e, (d + t1) & M32, c, b, a, (t1 + S0 + maj) & M32
    end
    h0, h1, h2, h3 = (h0 + a) & M32, (h1 + b) & M32, (h2 + c) & M32, (h3 + d) & M32
    h4, h5, h6, h7 = (h4 + e) & M32, (h5 + f) & M32, (h6 + g) & M32, (h7 + h) & M32
  end
  return string.pack(">I4I4I4I4I4I4I4I4", h0, h1, h2, h3, h4, h5, h6, h7)
end

local function toHex(bin)
  return (sgsub(bin, ".", function(c) return sformat("%02x", sbyte(c)) end))
end

local function xorBytes(s, pad)
  return (sgsub(s, ".", function(c) return schar(sbyte(c) ~ pad) end))
end

local function hmacSha256Hex(key, msg)
  if #key > 64 then key = sha256(key) end
  key = key .. srep("\0", 64 - #key)
  return toHex(sha256(xorBytes(key, 0x5c) .. sha256(xorBytes(key, 0x36) .. msg)))
end

-- Header value of spec step 3: `t=<unix>,v1=<hex>` over `<t>.<body>`.
local function signatureHeader(secret, t, body)
  return "t=" .. t .. ",v1=" .. hmacSha256Hex(secret, t .. "." .. body)
end

---------------------------------------------------------------- round state (one round: the script is reloaded after it)

local S = {
  server = "default", secret = nil, urls = {}, spoolCap = 200, timeoutSec = 10,
  dir = nil, queuePath = nil,
  map = "", round = 1,
  started = false, ended = false,
  roundStart = nil, timelimitSec = 0, warmup = nil, warmupMarked = false,
  pauses = {}, openPause = nil,
  exitReason = nil, exitTeam = nil,
  votes = {}, votePassed = false,
  setUp = false,
  nextSweep = math.maxinteger,
}

local function side(value)
  local n = math.tointeger(tonumber(value))
  if n == 0 then return TEAM_AXIS end
  if n == 1 then return TEAM_ALLIES end
  return 0
end

local function limitSeconds(minutes)
  local m = tonumber(minutes)
  if not m or m ~= m or m <= 0 or m == math.huge then return 0 end
  local tenths = math.floor(m * 600 + 0.5)
  return math.tointeger(tenths / 10) or tenths / 10
end

-- A player's GUID from his userinfo; nil for a bot. ET:Legacy's Omni-bots carry a cl_guid of their own,
-- "OMNIBOT<slot>" and spaces, the same for every bot that takes the slot: no player's GUID, so a bot is the
-- spec's client without one (and two bots in one slot are two entries, never one player reconnecting).
local function playerGuid(info)
  local guid = infoValue(info, "cl_guid")
  if guid == nil or guid == "" or guid:sub(1, 7) == "OMNIBOT" then return nil end
  return guid
end

local function playerOf(clientNum)
  local raw = rawName(gentity(clientNum, "pers.netname"))
  local info = try("trap_GetUserinfo", et.trap_GetUserinfo, clientNum)
  local guid = rawName(playerGuid(info) or "")
  return object({ "guid", "name", "rawName" }, { guid = guid, name = cleanName(raw), rawName = raw })
end

local function collectTeams()
  local axis, allies = {}, {}
  local maxClients = math.tointeger(tonumber(cvar("sv_maxclients"))) or 64
  if maxClients < 1 or maxClients > 64 then maxClients = 64 end
  for cn = 0, maxClients - 1 do
    if gentity(cn, "pers.connected") == CON_CONNECTED then
      local team = gentity(cn, "sess.sessionTeam")
      if team == TEAM_AXIS then axis[#axis + 1] = playerOf(cn)
      elseif team == TEAM_ALLIES then allies[#allies + 1] = playerOf(cn) end
    end
  end
  return object({ "axis", "allies" }, { axis = axis, allies = allies })
end

---------------------------------------------------------------- per-player time in play (report /2)
-- Played time is a running count of levelTime over the round's playing frames (`T.played`, ms; a paused frame
-- adds nothing). Each slot keeps the count at its last reading (`slotMark`) and the team it then had
-- (`slotTeam`); a reading credits `played − mark` to that team in the slot's player record. Readings come from a
-- sweep spread over the frames (every slot within SWEEP_MS of played time) and from the client hooks (team
-- change, begin, connect, disconnect), which make a change exact to the frame. Per frame: O(1) plus the sweep's
-- share (64 slots / SWEEP_MS), no table or string built: the slot tables below are filled once at load.

local MAX_SLOTS = 64
local SWEEP_MS = 900 -- a gap between two readings of a slot stays under 1 s of levelTime with frames up to 50 ms
local SITE_CONNECTED, SITE_TEAM, SITE_NAME =
  "gentity_get(pers.connected)", "gentity_get(sess.sessionTeam)", "gentity_get(pers.netname)"
local PLAYER_KEYS = { "guid", "name", "rawName", "team", "axisMs", "alliesMs" }

local T = {
  slots = 0,          -- slots read (sv_maxclients, at most 64), fixed at round start
  played = 0,         -- ms of levelTime counted on playing frames since the round clock started
  lastLevel = nil,    -- levelTime of the previous frame
  cursor = 0, sweepBase = 0,
  records = {},       -- player records in order of first appearance on Axis or Allies
  byGuid = {},        -- GUID → record: a reconnect of the same GUID carries on its totals
}
-- Per slot: its record (false: none), the team at its last reading, `played` at its last reading, whether the
-- GUID of the client in it was read (once per connection) and that GUID (false: none).
local slotRec, slotTeam, slotMark, slotKnown, slotGuid = {}, {}, {}, {}, {}
for cn = 0, MAX_SLOTS - 1 do
  slotRec[cn], slotTeam[cn], slotMark[cn], slotKnown[cn], slotGuid[cn] = false, 0, 0, false, false
end

local function readNetname(cn)
  local v = try(SITE_NAME, et.gentity_get, cn, "pers.netname")
  if type(v) == "string" then return v end
  return nil
end

local function credit(rec, team, ms)
  if ms <= 0 then return end
  if team == TEAM_AXIS then rec.axisMs = rec.axisMs + ms
  elseif team == TEAM_ALLIES then rec.alliesMs = rec.alliesMs + ms end
end

-- Credits the slot's open interval (since its last reading) to the team it had then.
local function closeSlot(cn)
  local rec = slotRec[cn]
  if rec then credit(rec, slotTeam[cn], T.played - slotMark[cn]) end
  slotMark[cn] = T.played
end

-- The slot's client is gone (or another one arrived): its record keeps its totals, with team 0.
local function detach(cn)
  local rec = slotRec[cn]
  if rec then rec.team, rec.slot = 0, false end
  slotRec[cn], slotTeam[cn], slotKnown[cn], slotGuid[cn] = false, 0, false, false
end

local function bind(cn, rec)
  rec.slot = cn
  rec.raw = readNetname(cn) or rec.raw
  slotRec[cn] = rec
  return rec
end

-- The record of a connected client not yet bound to one: the record of its GUID when that GUID played earlier in
-- the round (a reconnect carries on its totals, on any team, spectator included); else a new record once it is
-- on Axis or Allies. No GUID (a bot), or a GUID already in play in another slot: a record of its own.
local function attach(cn, team, mayCreate)
  if not slotKnown[cn] then
    local guid = playerGuid(try("trap_GetUserinfo", et.trap_GetUserinfo, cn))
    slotGuid[cn], slotKnown[cn] = guid or false, true
  end
  local guid = slotGuid[cn]
  local rec = guid and T.byGuid[guid]
  if rec and not rec.slot then return bind(cn, rec) end
  if not mayCreate or (team ~= TEAM_AXIS and team ~= TEAM_ALLIES) then return false end
  rec = { guid = guid or nil, raw = "", axisMs = 0, alliesMs = 0, team = 0, slot = false }
  T.records[#T.records + 1] = rec
  if guid and not T.byGuid[guid] then T.byGuid[guid] = rec end
  return bind(cn, rec)
end

-- One reading of a slot. A slot whose state can't be read is left as it was (read again later). `mayCreate`:
-- a client first seen on Axis or Allies gets a record (not on the report's own frame: the round is over).
local function sampleSlot(cn, mayCreate)
  local conn = try(SITE_CONNECTED, et.gentity_get, cn, "pers.connected")
  if conn == nil then return end
  local team = 0
  if conn == CON_CONNECTED then
    team = try(SITE_TEAM, et.gentity_get, cn, "sess.sessionTeam")
    if team == nil then return end
  end
  closeSlot(cn)
  local rec = slotRec[cn]
  if conn ~= CON_CONNECTED then
    detach(cn)
    return
  end
  if not rec then rec = attach(cn, team, mayCreate) end
  if rec then rec.team = team end
  slotTeam[cn] = team
end

-- Reads the slots whose turn has come: slot i once (i+1)/n of SWEEP_MS of played time has passed in this sweep.
local function advanceSweep()
  local n = T.slots
  local elapsed = T.played - T.sweepBase
  local target = n
  if elapsed < SWEEP_MS then target = elapsed * n // SWEEP_MS end
  local cn = T.cursor
  while cn < target do
    sampleSlot(cn, true)
    cn = cn + 1
  end
  if cn >= n then T.cursor, T.sweepBase = 0, T.played else T.cursor = cn end
end

-- The hook's levelTime as an integer (the engine passes one), or nil.
local function toLevelTime(v)
  if math.type(v) == "integer" then return v end
  local n = tonumber(v)
  if n and n == n and n > -math.huge and n < math.huge then return math.tointeger(n // 1) end
  return nil
end

local function tracking(cn)
  return S.started and not S.ended and math.type(cn) == "integer" and cn >= 0 and cn < T.slots
end

-- Round start (first playing frame): the count starts at the round clock's start, and every slot is read.
local function startPlayerTime(levelTime, levelStart)
  local n = math.tointeger(tonumber(cvar("sv_maxclients"))) or MAX_SLOTS
  if n < 1 or n > MAX_SLOTS then n = MAX_SLOTS end
  T.slots = n
  T.lastLevel = (levelStart and levelTime and levelStart <= levelTime) and levelStart or levelTime
  T.played, T.cursor, T.sweepBase = 0, 0, 0
  for cn = 0, n - 1 do sampleSlot(cn, true) end
end

-- A playing frame: its levelTime since the previous frame counts, unless the round is paused.
local function countFrame(levelTime)
  if levelTime then
    local last = T.lastLevel
    T.lastLevel = levelTime
    if last and levelTime > last and not S.openPause then T.played = T.played + (levelTime - last) end
  end
  advanceSweep()
end

-- The `players` of the report: every slot read once more (the team at round end), names read for those
-- still in, each player's total capped at playtimeSec × 1000 + 1000 (levelTime and the wall clock may drift).
local function collectPlayers(playtimeSec)
  for cn = 0, T.slots - 1 do sampleSlot(cn, false) end
  local cap = playtimeSec * 1000 + 1000
  local list = {}
  for i, rec in ipairs(T.records) do
    if rec.slot then rec.raw = readNetname(rec.slot) or rec.raw end
    local axis, allies = rec.axisMs, rec.alliesMs
    local sum = axis + allies
    if sum > cap then axis, allies = axis * cap // sum, allies * cap // sum end
    local raw = rawName(rec.raw)
    list[i] = object(PLAYER_KEYS, { guid = rec.guid and rawName(rec.guid), name = cleanName(raw), rawName = raw,
      team = rec.team, axisMs = axis, alliesMs = allies })
  end
  return list
end

-- Over 64 KiB (hundreds of players, or long escaped names): the players with the least time are left out.
local function fitPlayers(report)
  local json = jsonEncode(report)
  local list = report.players
  if #json <= MAX_REPORT_BYTES or #list == 0 then return json end
  local order = {}
  for i = 1, #list do order[i] = i end
  table.sort(order, function(a, b)
    local ta, tb = list[a].axisMs + list[a].alliesMs, list[b].axisMs + list[b].alliesMs
    if ta ~= tb then return ta > tb end
    return a < b
  end)
  local keep = #list
  while #json > MAX_REPORT_BYTES and keep > 0 do
    keep = math.max(0, keep - math.max(1, keep // 8))
    local kept = {}
    for i = 1, keep do kept[order[i]] = true end
    local fitted = {}
    for i = 1, #list do if kept[i] then fitted[#fitted + 1] = list[i] end end
    report.players = fitted
    json = jsonEncode(report)
  end
  log(sformat("report over 64 KiB: %d of %d players with the least time left out", #list - keep, #list))
  return json
end

---------------------------------------------------------------- spool: files, queue, delivery

local function shellQuote(s)
  return "'" .. sgsub(s, "'", "'\\''") .. "'"
end

local function readFile(path)
  local f = io.open(path, "rb")
  if not f then return nil end
  local data = f:read("a")
  f:close()
  return data
end

local function exists(path)
  local f = io.open(path, "rb")
  if f then f:close() return true end
  return false
end

-- Write beside, then rename: a reader (the SFTP source) never sees half a file.
local function writeAtomic(path, data)
  local tmp = path .. ".tmp"
  local f, err = io.open(tmp, "wb")
  if not f then return nil, err end
  local ok, werr = f:write(data)
  f:close()
  if not ok then os.remove(tmp) return nil, werr end
  local rok, rerr = os.rename(tmp, path)
  if not rok then os.remove(tmp) return nil, rerr end
  return true
end

local function ensureDir(dir)
  local probe = dir .. "/.et-ledger-probe"
  if writeAtomic(probe, "") then os.remove(probe) return true end
  os.execute("mkdir -p " .. shellQuote(dir))
  if writeAtomic(probe, "") then os.remove(probe) return true end
  return false
end

-- Queue line: `<file> <urlKey>:<attempts>:<lastStartUnix>:<state>…`, state i (in flight), f (failed), d (delivered).
local function readQueue()
  local q = {}
  local data = S.queuePath and readFile(S.queuePath)
  if not data then return q end
  for line in data:gmatch("[^\n]+") do
    local name, rest = line:match("^(%S+)(.*)$")
    if name then
      local entry = { name = name, st = {} }
      for key, n, started, state in rest:gmatch("(%w+):(%d+):(%d+):(%a)") do
        entry.st[key] = { n = math.tointeger(tonumber(n)), started = math.tointeger(tonumber(started)), state = state }
      end
      q[#q + 1] = entry
    end
  end
  return q
end

local function writeQueue(q)
  local lines = {}
  for i, e in ipairs(q) do
    local parts = { e.name }
    for key, st in pairs(e.st) do parts[#parts + 1] = sformat("%s:%d:%d:%s", key, st.n, st.started, st.state) end
    lines[i] = table.concat(parts, " ")
  end
  local ok, err = writeAtomic(S.queuePath, table.concat(lines, "\n") .. (#lines > 0 and "\n" or ""))
  if not ok then logOnce("queue", "cannot write the spool queue " .. S.queuePath .. ": " .. tostring(err)) end
end

local function markerPath(path, key, n)
  return sformat("%s.%s.%d.exit", path, key, n)
end

local function dropEntry(e)
  local path = S.dir .. "/" .. e.name
  os.remove(path)
  for key, st in pairs(e.st) do
    for n = 1, st.n do os.remove(markerPath(path, key, n)) end
  end
end

-- One attempt: curl in the background, signed now; its exit code and HTTP status land in the attempt's marker.
local function launch(path, url, st)
  local body = readFile(path)
  if not body then return false end
  local n = st.n + 1
  local marker = markerPath(path, url.key, n)
  local header = "X-ET-Ledger-Signature: " .. signatureHeader(S.secret, now(), body)
  local cmd = sformat(
    "(code=$(curl -s -o /dev/null -w '%%{http_code}' --fail --connect-timeout %d --max-time %d"
      .. " -H 'Content-Type: application/json' -H %s --data-binary %s %s); rc=$?;"
      .. " printf '%%s %%s\\n' \"$rc\" \"$code\" > %s; mv -f %s %s) </dev/null >/dev/null 2>&1 &",
    math.min(5, S.timeoutSec), S.timeoutSec, shellQuote(header), shellQuote("@" .. path), shellQuote(url.url),
    shellQuote(marker .. ".tmp"), shellQuote(marker .. ".tmp"), shellQuote(marker))
  os.execute(cmd)
  st.n, st.started, st.state = n, now(), "i"
  return true
end

local function backoffSec(n)
  return SWEEP_EVERY_SEC * math.min(1 << math.max(n - 1, 0), 16)
end

-- Advances one queued file; returns true when every configured URL has it (the file may then go).
local function service(e, budget)
  local path = S.dir .. "/" .. e.name
  local t = now()
  local allDone = #S.urls > 0
  for _, url in ipairs(S.urls) do
    local st = e.st[url.key]
    if not st then st = { n = 0, started = 0, state = "f" }; e.st[url.key] = st end
    if st.state == "i" then
      local marker = markerPath(path, url.key, st.n)
      local result = readFile(marker)
      if result then
        os.remove(marker)
        local rc, http = result:match("^(%d+)%s+(%d*)")
        if rc == "0" or http == "422" then
          st.state = "d"
          if http == "422" then log(sformat("%s was kept by %s as authentic but off-schema (HTTP 422)", e.name, url.url)) end
        else
          st.state = "f"
          log(sformat("sending %s to %s failed (attempt %d, curl exit %s, HTTP %s); the sweep retries it",
            e.name, url.url, st.n, tostring(rc), (http ~= "" and http) or "none"))
        end
      elseif t - st.started > S.timeoutSec + 30 then
        st.state = "f"
        log(sformat("sending %s to %s left no exit marker (attempt %d); the sweep retries it", e.name, url.url, st.n))
      end
    end
    if st.state ~= "d" then
      allDone = false
      local due = st.n == 0 or t >= st.started + backoffSec(st.n)
      if st.state == "f" and due and S.secret and budget.left > 0 then
        if launch(path, url, st) then budget.left = budget.left - 1 end
      end
    end
  end
  return allDone
end

local function sweep()
  S.nextSweep = now() + SWEEP_EVERY_SEC
  if not S.queuePath then return end
  local q = readQueue()
  if #q == 0 then return end
  local keep, budget = {}, { left = MAX_LAUNCHES_PER_SWEEP }
  for _, e in ipairs(q) do
    local path = S.dir .. "/" .. e.name
    if not exists(path) then
      log("spooled " .. e.name .. " is gone (fetched or removed by hand); it leaves the queue")
      dropEntry(e)
    elseif service(e, budget) then
      log("delivered " .. e.name .. "; removed from the spool")
      dropEntry(e)
    else
      keep[#keep + 1] = e
    end
  end
  writeQueue(keep)
end

local function safeFilePart(s)
  return (sgsub(s, "[^%w_%-%.]", "_"))
end

-- Spec delivery step 1, then step 2 at once for this file (the sweep takes over from there).
local function spool(fileStem, endUnix, json)
  if not S.dir then logOnce("spool", "no spool folder: report lost: " .. json) return end
  if #json > MAX_REPORT_BYTES then log(sformat("%s is %d bytes, over the receiver's 64 KiB limit", fileStem, #json)) end
  local base = os.date("%Y-%m-%d-%H%M%S", endUnix) .. "-" .. fileStem
  local name = base .. ".lua.json"
  local k = 2
  while exists(S.dir .. "/" .. name) do name = base .. "-" .. k .. ".lua.json"; k = k + 1 end
  local ok, err = writeAtomic(S.dir .. "/" .. name, json)
  if not ok then log("cannot write " .. S.dir .. "/" .. name .. ": " .. tostring(err)) return end
  local q = readQueue()
  while #q >= S.spoolCap do
    local oldest = table.remove(q, 1)
    dropEntry(oldest)
    log(sformat("spool at its cap (%d): dropped the oldest report %s", S.spoolCap, oldest.name))
  end
  local entry = { name = name, st = {} }
  q[#q + 1] = entry
  service(entry, { left = #S.urls })
  writeQueue(q)
end

---------------------------------------------------------------- reports

local function roundId(endUnix)
  return sformat("%s:%s:%d:%d", S.server, S.map, S.round, endUnix)
end

local function closePause(t)
  local p = object({ "startUnix", "endUnix", "sec" }, { startUnix = S.openPause, endUnix = t, sec = t - S.openPause })
  S.openPause = nil
  S.pauses[#S.pauses + 1] = p
  local record = object(
    { "schema", "id", "server", "map", "round", "roundStartUnix", "startUnix", "endUnix", "sec" },
    { schema = "et-ledger.pause/1", id = sformat("%s:%s:%d:pause:%d", S.server, S.map, S.round, p.startUnix),
      server = S.server, map = S.map, round = S.round, roundStartUnix = S.roundStart,
      startUnix = p.startUnix, endUnix = p.endUnix, sec = p.sec })
  spool(sformat("%s-round-%d-pause-%d", safeFilePart(S.map), S.round, #S.pauses), t, jsonEncode(record))
end

local function endReason(aborted, playtime)
  if aborted then return "aborted" end
  if S.exitReason then return S.exitReason end
  if S.votePassed then return "surrender" end
  if S.timelimitSec > 0 and playtime >= S.timelimitSec - 2 then return "time_expired" end
  return "objective"
end

local function endRound(aborted)
  S.ended = true
  local t = now()
  if S.openPause then closePause(t) end
  local paused = 0
  for _, p in ipairs(S.pauses) do paused = paused + p.sec end
  local playtime = math.max(0, t - S.roundStart - paused)
  local winner = 0
  if not aborted then
    local cs = configstring(CS_MULTI_MAPWINNER)
    winner = side(infoValue(cs, "w") or infoValue(cs, "winner"))
  end
  local info = configstring(CS_MULTI_INFO)
  local defender = side(infoValue(info, "d") or infoValue(info, "defender"))
  local reason = endReason(aborted, playtime)
  local surrender = nil
  if reason == "surrender" then
    -- The side that gave up is the one the exit print names (else the loser); its caller is that
    -- side's own vote: another side's callvote typed meanwhile was refused by the game.
    local team = S.exitTeam or (S.votePassed and S.votePassed ~= true and S.votePassed) or 0
    if team == 0 then team = (winner == TEAM_AXIS and TEAM_ALLIES) or (winner == TEAM_ALLIES and TEAM_AXIS) or 0 end
    local vote = S.votes[team]
    if vote and t - vote.at > VOTE_WINDOW_SEC then vote = nil end
    if team ~= 0 then
      surrender = object({ "team", "callerGuid", "callerName" },
        { team = team, callerGuid = vote and vote.guid, callerName = vote and vote.name })
    end
  end
  local report = object(
    { "schema", "id", "server", "script", "map", "round", "roundStartUnix", "roundEndUnix", "playtimeSec",
      "timelimitSec", "warmup", "pauses", "endReason", "surrender", "winner", "defender", "teams", "players" },
    { schema = "et-ledger.round/2", id = roundId(t), server = S.server, script = VERSION, map = S.map, round = S.round,
      roundStartUnix = S.roundStart, roundEndUnix = t, playtimeSec = playtime, timelimitSec = S.timelimitSec,
      warmup = S.warmup, pauses = S.pauses, endReason = reason, surrender = surrender, winner = winner,
      defender = defender, teams = collectTeams(), players = collectPlayers(playtime) })
  spool(sformat("%s-round-%d", safeFilePart(S.map), S.round), t, fitPlayers(report))
  log(sformat("round report %s (%s, %d s played, %d pause(s))", roundId(t), reason, playtime, #S.pauses))
end

local function readWarmup(start)
  local v = cvar(WARMUP_CVAR)
  if v and v ~= "" then try("trap_Cvar_Set(" .. WARMUP_CVAR .. ")", et.trap_Cvar_Set, WARMUP_CVAR, "") end
  local map, at = (v or ""):match("^(.*):(%d+)$")
  at = math.tointeger(tonumber(at))
  if map ~= S.map or not at or at > start or start - at > 6 * 3600 then return nil end
  return object({ "startUnix", "sec" }, { startUnix = at, sec = start - at })
end

local function markWarmup()
  S.warmupMarked = true
  local v = cvar(WARMUP_CVAR)
  if v == nil then return end
  local map = v:match("^(.*):%d+$")
  if map ~= S.map then
    try("trap_Cvar_Set(" .. WARMUP_CVAR .. ")", et.trap_Cvar_Set, WARMUP_CVAR, S.map .. ":" .. now())
  end
end

-- First playing frame: the round clock started at CS_LEVEL_START_TIME (levelTime units), which may be earlier.
local function startRound(levelTime)
  local t = now()
  local levelStart = math.tointeger(tonumber(configstring(CS_LEVEL_START_TIME)))
  local start = t
  if levelStart and levelTime and levelTime >= levelStart then
    start = t - math.floor((levelTime - levelStart) / 1000 + 0.5)
  end
  local current = math.tointeger(tonumber(cvar("g_currentRound")))
  local map = cvar("mapname")
  if map then S.map = decodeName(map) end
  S.round = (current == 1) and 2 or 1
  S.timelimitSec = limitSeconds(cvar("timelimit"))
  S.warmup = readWarmup(start)
  S.roundStart = math.tointeger(start)
  S.started = true
  startPlayerTime(levelTime, levelStart)
end

local function trackPause()
  local v = configstring(CS_SERVERTOGGLES)
  if v == nil then return end
  local toggles = math.tointeger(tonumber(v)) or 0
  local paused = (toggles & TOGGLE_PAUSED) ~= 0
  if paused and not S.openPause then
    S.openPause = now()
  elseif not paused and S.openPause then
    closePause(now())
  end
end

---------------------------------------------------------------- config

local KNOWN = { server = "string", secret = "string", urls = "table", spoolDir = "string", spoolCap = "number", timeoutSec = "number" }

local function gamePath(base)
  if not base or base == "" then return nil end
  local game = cvar("fs_game")
  if not game or game == "" then game = "legacy" end
  return base .. "/" .. game
end

local function loadConfig()
  local homeGame, baseGame = gamePath(cvar("fs_homepath")), gamePath(cvar("fs_basepath"))
  local candidates = {}
  if homeGame then candidates[#candidates + 1] = homeGame .. "/luascripts/et-ledger.config.lua" end
  if baseGame then candidates[#candidates + 1] = baseGame .. "/luascripts/et-ledger.config.lua" end
  local path
  for _, p in ipairs(candidates) do if exists(p) then path = p break end end
  local problems, cfg = {}, nil
  if path then
    local chunk, err = loadfile(path, "t", {})
    if not chunk then problems[#problems + 1] = "cannot be read: " .. tostring(err)
    else
      local ok, value = pcall(chunk)
      if not ok then problems[#problems + 1] = "failed: " .. tostring(value)
      elseif type(value) ~= "table" then problems[#problems + 1] = "must return a table"
      else cfg = value end
    end
  end
  cfg = cfg or {}
  for k, v in pairs(cfg) do
    if not KNOWN[k] then problems[#problems + 1] = "unknown key '" .. tostring(k) .. "' ignored"
    elseif type(v) ~= KNOWN[k] then problems[#problems + 1] = sformat("'%s' must be a %s, ignored", k, KNOWN[k]); cfg[k] = nil end
  end
  if cfg.server then
    if #cfg.server <= 64 and cfg.server:match("^[%w%._%-]+$") then S.server = cfg.server
    else problems[#problems + 1] = "'server' must be 1-64 letters, digits, '.', '-' or '_'; using \"default\"" end
  end
  if cfg.secret and cfg.secret ~= "" then S.secret = cfg.secret end
  for i, u in ipairs(cfg.urls or {}) do
    if type(u) == "string" and u:match("^https?://[^%s]+$") then
      S.urls[#S.urls + 1] = { url = u, key = toHex(sha256(u)):sub(1, 8) }
    else problems[#problems + 1] = sformat("urls[%d] is not an http(s) URL, ignored", i) end
  end
  if cfg.spoolCap then
    local cap = math.tointeger(cfg.spoolCap)
    if cap and cap >= 1 then S.spoolCap = cap else problems[#problems + 1] = "'spoolCap' must be a whole number >= 1, ignored" end
  end
  if cfg.timeoutSec then
    local sec = math.tointeger(cfg.timeoutSec)
    if sec and sec >= 1 and sec <= 120 then S.timeoutSec = sec else problems[#problems + 1] = "'timeoutSec' must be 1-120, ignored" end
  end
  if #S.urls > 0 and not S.secret then problems[#problems + 1] = "no 'secret': nothing is posted" end
  S.dir = (cfg.spoolDir and cfg.spoolDir ~= "" and cfg.spoolDir) or (homeGame and homeGame .. "/et-ledger")
    or (baseGame and baseGame .. "/et-ledger")
  if not path then
    log(sformat("no config file (looked for %s): reports are spooled to %s as server \"default\" and not posted",
      #candidates > 0 and table.concat(candidates, ", ") or "et-ledger.config.lua, no fs_homepath/fs_basepath",
      tostring(S.dir)))
  elseif #problems > 0 then
    log("config " .. path .. ": " .. table.concat(problems, "; "))
  end
end

---------------------------------------------------------------- hooks

-- The module's setup, at each map load; and on the first frame after an rcon `lua_restart`, which loads the
-- modules again without et_InitGame (ET:Legacy's G_LuaRestart), so the round still has its config and spool.
local function setUp()
  S.setUp = true
  try("RegisterModname", et.RegisterModname, "et-ledger " .. VERSION)
  loadConfig()
  S.map = rawName(cvar("mapname"))
  if S.dir and not ensureDir(S.dir) then
    log("cannot create the spool folder " .. S.dir .. ": reports are lost until it exists")
    S.dir = nil
  end
  if S.dir then S.queuePath = S.dir .. "/.queue-" .. safeFilePart(cvar("net_port") or "27960") end
  S.nextSweep = now() + FIRST_SWEEP_AFTER_SEC
  log(sformat("%s loaded: server %s, spool %s, %d URL(s)%s", VERSION, S.server, tostring(S.dir), #S.urls,
    (#S.urls > 0 and not S.secret) and " (unsigned: not posting)" or ""))
end

local function onInit(levelTime, randomSeed, restart)
  setUp()
end

local function onFrame(levelTime)
  if not S.setUp then setUp() end
  levelTime = toLevelTime(levelTime)
  local gs = tonumber(cvar("gamestate"))
  if gs == GS_PLAYING then
    if not S.started then startRound(levelTime) end
    if not S.ended then
      trackPause()
      countFrame(levelTime)
    end
  elseif gs == GS_INTERMISSION then
    if S.started and not S.ended then endRound(false) end
  elseif (gs == GS_WARMUP or gs == GS_WARMUP_COUNTDOWN) and not S.warmupMarked then
    markWarmup()
  end
  if gs ~= nil and gs ~= GS_PLAYING and levelTime then T.lastLevel = levelTime end -- a frame out of play does not count
  if now() >= S.nextSweep then sweep() end
end

local function onShutdown(restart)
  if S.started and not S.ended then endRound(true) end
end

local function onClientCommand(clientNum, command)
  if type(command) ~= "string" or command:lower() ~= "callvote" then return end
  local what = try("trap_Argv", et.trap_Argv, 1)
  if type(what) ~= "string" or what:lower() ~= "surrender" or not S.started or S.ended then return end
  local team = gentity(clientNum, "sess.sessionTeam")
  if team ~= TEAM_AXIS and team ~= TEAM_ALLIES then return end
  local p = playerOf(clientNum)
  S.votes[team] = { guid = p.guid, name = p.name, at = now() }
end

-- The engine's own lines start with what they say (G_LogPrintf hands et_Print no timestamp); a
-- player named "Exit: Axis Surrender" or a chat line "Vote Failed? lol" comes inside a longer line
-- (`score: ... client: N <name>`, `say: <name>: ...`), so only a line's start is read.
local function startsWith(text, prefix)
  return text:sub(1, #prefix) == prefix
end

local function onPrint(text)
  if type(text) ~= "string" or not S.started or S.ended then return end
  local line = text:match("^%s*(.-)%s*$")
  if startsWith(line, "Exit: ") then
    -- The first exit ends the round; another in the same frame is "(already triggered)" and changes nothing.
    if S.exitReason or sfind(line, "(already triggered)", 1, true) then return end
    if startsWith(line, "Exit: Timelimit hit") then S.exitReason = "time_expired"
    elseif startsWith(line, "Exit: Wolf EndRound") then S.exitReason = "objective"
    else
      local team = line:match("^Exit: (%a+) Surrender")
      if team then
        S.exitReason = "surrender"
        S.exitTeam = (team == "Axis" and TEAM_AXIS) or (team == "Allies" and TEAM_ALLIES) or nil
      end
    end
  elseif startsWith(line, "Vote Failed") or startsWith(line, "Vote TIMEOUT") or startsWith(line, "Vote CANCELED") then
    S.votes = {}
  elseif startsWith(line, "Vote Passed") then
    -- Which surrender passed is the exit print's to say; without one, the side of the only vote.
    local only = nil
    for team, vote in pairs(S.votes) do
      if now() - vote.at <= VOTE_WINDOW_SEC then only = (only == nil) and team or true end
    end
    if only ~= nil then S.votePassed = only end
  end
end

-- Client hooks: a reading of the slot at the change, so a team switch, a join or a leave is exact to the frame
-- (the sweep alone would see it within SWEEP_MS). They come between frames: the count stands at the last frame.
local function onClientBegin(clientNum)
  if tracking(clientNum) then sampleSlot(clientNum, true) end
end

local function onClientUserinfoChanged(clientNum)
  if not tracking(clientNum) then return end
  sampleSlot(clientNum, true)
  local rec = slotRec[clientNum]
  if rec then rec.raw = readNetname(clientNum) or rec.raw end
end

-- The client is still in its slot when the hook runs: its name is read, its time closed, its record let go.
local function onClientDisconnect(clientNum)
  if not tracking(clientNum) then return end
  closeSlot(clientNum)
  local rec = slotRec[clientNum]
  if rec then rec.raw = readNetname(clientNum) or rec.raw end
  detach(clientNum)
end

-- A new client in the slot (its previous client, if any, was not seen leaving).
local function onClientConnect(clientNum)
  if not tracking(clientNum) then return end
  closeSlot(clientNum)
  detach(clientNum)
end

-- Every hook runs guarded and returns nothing: a value returned from some hooks vetoes the event for every
-- later module, and an error escaping a hook makes the mod stop this script for the rest of the map.
local function guarded(name, f)
  local site = "hook " .. name
  return function(...)
    local ok, err = pcall(f, ...)
    if not ok then logOnce(site, "error in " .. name .. " (logged once): " .. tostring(err)) end
  end
end

local hooks = {
  et_InitGame = guarded("et_InitGame", onInit),
  et_RunFrame = guarded("et_RunFrame", onFrame),
  et_ShutdownGame = guarded("et_ShutdownGame", onShutdown),
  et_ClientCommand = guarded("et_ClientCommand", onClientCommand),
  et_Print = guarded("et_Print", onPrint),
  et_ClientBegin = guarded("et_ClientBegin", onClientBegin),
  et_ClientUserinfoChanged = guarded("et_ClientUserinfoChanged", onClientUserinfoChanged),
  et_ClientDisconnect = guarded("et_ClientDisconnect", onClientDisconnect),
  et_ClientConnect = guarded("et_ClientConnect", onClientConnect),
}
function et_InitGame(levelTime, randomSeed, restart) hooks.et_InitGame(levelTime, randomSeed, restart) end
function et_RunFrame(levelTime) hooks.et_RunFrame(levelTime) end
function et_ShutdownGame(restart) hooks.et_ShutdownGame(restart) end
function et_ClientCommand(clientNum, command) hooks.et_ClientCommand(clientNum, command) end
function et_Print(text) hooks.et_Print(text) end
function et_ClientBegin(clientNum) hooks.et_ClientBegin(clientNum) end
function et_ClientUserinfoChanged(clientNum) hooks.et_ClientUserinfoChanged(clientNum) end
function et_ClientDisconnect(clientNum) hooks.et_ClientDisconnect(clientNum) end
-- Returns nothing: any value returned here would refuse the connection for every module.
function et_ClientConnect(clientNum, firstTime, isBot) hooks.et_ClientConnect(clientNum, firstTime, isBot) end

-- The mod ignores a chunk's results; tools in lua/harness/ use these to test the pure parts.
return {
  version = VERSION,
  sha256Hex = function(s) return toHex(sha256(s)) end,
  hmacSha256Hex = hmacSha256Hex,
  signatureHeader = signatureHeader,
  jsonEncode = jsonEncode,
  object = object,
  cleanName = cleanName,
  decodeName = decodeName,
  limitSeconds = limitSeconds,
}
