-- Engine calls that raise (and a clock that raises inside the script's own code) for stretches of the round:
-- each failure site is logged once, the script keeps running, the report comes out right.
local players = require("players")
return function(ctx)
  local srv = ctx.Engine.new({ tmp = ctx.tmp, script = ctx.script, startUnix = 1787175000 })
  srv:addPlayers(players.sixAndSpectator)
  local function during(from, to) return function() local t = srv:unix() return t >= from and t < to end end
  local startWindow = during(1787175031, 1787175034)
  srv:fault("trap_Cvar_Get", function(name)
    if name == "gamestate" and startWindow() then error("cvar read failed") end
  end)
  local toggleWindow = during(1787175105, 1787175108)
  srv:fault("trap_GetConfigstring", function(index)
    if index == 32 and toggleWindow() then error("configstring read failed") end
  end)
  srv:fault("gentity_get", function(cn, field)
    if cn == 4 and field == "pers.netname" then error("bad netname") end
    if cn == 5 and field == "sess.sessionTeam" then error("bad team") end
  end)
  srv:fault("trap_GetUserinfo", function(cn) if cn == 2 then error("no userinfo") end end)
  local clockWindow = during(1787175200, 1787175201)
  srv.clockFault = function() if clockWindow() and srv.env then error("clock exploded") end end
  srv:loadMap("supply")
  srv:warmupUntil(1787175020, 1787175030)
  srv:runUntil(1787175100); srv:setPaused(true)
  srv:runUntil(1787175110); srv:setPaused(false)
  srv:runUntil(1787175400)
  srv:endRound("Wolf EndRound.", 2)
  srv:run(10)
  return srv:finish()
end
