-- Loads lua/et-ledger.lua outside the engine (a stub `et`) and returns the table the chunk returns: its pure parts.
local here = debug.getinfo(1, "S").source:match("^@(.*)/[^/]*$") or "."
return function()
  local env = setmetatable({ et = {} }, { __index = _G })
  local chunk = assert(loadfile(here .. "/../et-ledger.lua", "t", env))
  return chunk()
end
