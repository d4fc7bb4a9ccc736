-- Axis (slot 0, Vektor) calls a surrender vote in a running round; then, by case (the first argument):
--   refused  an Allies player (slot 1) types callvote surrender too; the game refuses it ("A vote is already in
--            progress", no result print); the Axis vote passes.
--   chat     a chat line "Vote Failed? lol" reaches et_Print (the game logs `say: <name>: <text>`); the vote passes.
--   timeout  the vote times out ("Vote TIMEOUT!"); 20 s later a referee ends the round as an Axis surrender.
-- Every case ends in "Exit: Axis Surrender", Allies winning.
local players = require("players")
return function(ctx)
  local case = ctx.args[1]
  local srv = ctx.Engine.new({ tmp = ctx.tmp, script = ctx.script, startUnix = 1787171000 })
  srv:addPlayers(players.sixAndSpectator)
  srv:loadMap("etl_frostbite")
  srv:warmupUntil(1787171030, 1787171040)
  srv:runUntil(1787171300)
  srv:callvote(0, "surrender")
  if case == "refused" then
    srv:runUntil(1787171305)
    srv:callvote(1, "surrender")
    srv:runUntil(1787171310)
    srv:voteResult(true, "(Y:3-N:0) Surrender [AXIS]")
  elseif case == "chat" then
    srv:runUntil(1787171303)
    srv:print("say: ^7bramble^7: ^2Vote Failed? lol\n")
    srv:runUntil(1787171310)
    srv:voteResult(true, "(Y:3-N:0) Surrender [AXIS]")
  elseif case == "timeout" then
    srv:runUntil(1787171305)
    srv:print("Vote TIMEOUT!\n")
    srv:runUntil(1787171325)
  else
    error("surrender-cases: refused, chat or timeout, not " .. tostring(case))
  end
  srv:endRound("Axis Surrender", 2)
  srv:run(5)
  return srv:finish()
end
