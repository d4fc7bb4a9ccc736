-- Names an engine really hands over: quotes, backslashes, control bytes, invalid UTF-8, colour-code edge cases.
return function(ctx)
  local srv = ctx.Engine.new({ tmp = ctx.tmp, script = ctx.script, startUnix = 1787174000 })
  local names = {
    'He said "hi"',
    "back\\slash\\",
    "bell\7tab\9nl\10del\127",
    "bad\255byte",
    "trunc\226\130",
    "overlong\192\175",
    "surrogate\237\160\128",
    "^^1caret^",
    "^\195\169t\195\169",
    "^2\240\159\152\128 smile",
    "  ^7 spaced\194\160",
    "c1\194\133x",
    "\27[31mred",
    "",
    "^\n1x",
    "O\146Neil \128uro \156uvre \138ef",
  }
  for i, name in ipairs(names) do
    srv:addClient(i - 1, { name = name, guid = string.format("HOSTILE%02d", i), team = (i % 2 == 1) and 1 or 2 })
  end
  srv:addClient(20, { name = "guid", guid = 'Q"U\1OTE', team = 2 })
  srv:loadMap("supply")
  srv:warmupUntil(1787174010, 1787174020)
  srv:runUntil(1787174320)
  srv:endRound("Wolf EndRound.", 2)
  srv:run(10)
  return srv:finish()
end
