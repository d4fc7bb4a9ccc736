-- stdin lines `hmac <keyhex> <datahex>` or `sha256 - <datahex>` ("-" = empty); stdout: one hex digest a line.
package.path = (arg[0]:match("^(.*)/[^/]*$") or ".") .. "/?.lua;" .. package.path
local L = require("internals")()
local function unhex(h)
  if h == "-" then return "" end
  return (h:gsub("%x%x", function(x) return string.char(tonumber(x, 16)) end))
end
for line in io.lines() do
  local mode, key, data = line:match("^(%S+)%s+(%S+)%s+(%S+)$")
  if mode == "hmac" then print(L.hmacSha256Hex(unhex(key), unhex(data)))
  elseif mode == "sha256" then print(L.sha256Hex(unhex(data)))
  else print("bad line") end
end
