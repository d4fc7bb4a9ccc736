-- Runs one scenario against lua/et-ledger.lua in the simulated engine:
--   lua5.4 lua/harness/run.lua <scenario> <tmpdir> [args…]
-- <tmpdir> is fs_homepath: the config is read from <tmpdir>/legacy/luascripts/, the spool is <tmpdir>/legacy/et-ledger/,
-- the server console goes to <tmpdir>/server.log. Exit code 0 unless a hook raised or returned a value.
local here = arg[0]:match("^(.*)/[^/]*$") or "."
package.path = here .. "/?.lua;" .. package.path
local name, tmp = arg[1], arg[2]
if not name or not tmp then
  io.stderr:write("usage: lua5.4 run.lua <scenario> <tmpdir> [args…]\n")
  os.exit(2)
end
local Engine = require("engine")
local scenario = dofile(here .. "/scenarios/" .. name .. ".lua")
local ctx = { tmp = tmp, script = here .. "/../et-ledger.lua", args = { table.unpack(arg, 3) }, Engine = Engine }
local code = scenario(ctx)
os.exit(code or 0)
