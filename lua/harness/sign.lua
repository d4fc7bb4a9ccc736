-- lua5.4 sign.lua <file> <secret> <unix>: prints the X-ET-Ledger-Signature value the script sends for that file.
package.path = (arg[0]:match("^(.*)/[^/]*$") or ".") .. "/?.lua;" .. package.path
local L = require("internals")()
local f = assert(io.open(arg[1], "rb"))
local body = f:read("a")
f:close()
print(L.signatureHeader(arg[2], math.tointeger(tonumber(arg[3])), body))
