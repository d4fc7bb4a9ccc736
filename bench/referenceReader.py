"""Times the reference reader (iamez/slomix bot/community_stats_parser.py) over a folder of stats
files, for `npm run bench -- parse` (set SLOMIX_DIR to a checkout). Prints one JSON line.
Its `discord` import only formats embeds: a stub stands in, the parsing itself is untouched."""
import json, os, sys, time, types

sys.modules.setdefault("discord", types.ModuleType("discord"))
sys.path.insert(0, os.environ["SLOMIX_DIR"])
import logging
logging.disable(logging.CRITICAL)
from bot.community_stats_parser import C0RNP0RN3StatsParser  # noqa: E402

folder = sys.argv[1]
seconds_wanted = float(sys.argv[2]) if len(sys.argv) > 2 else 2.5
paths = sorted(os.path.join(folder, n) for n in os.listdir(folder) if n.endswith(".txt"))
size = sum(os.path.getsize(p) for p in paths)
parser = C0RNP0RN3StatsParser()
ok = 0
passes = 0
start = time.perf_counter()
while time.perf_counter() - start < seconds_wanted:
    for p in paths:
        # R1 files as the reader reads any file; R2 pairing would add its own file searches.
        r = parser.parse_regular_stats_file(p)
        ok += 1 if r and r.get("success", True) else 0
    passes += 1
elapsed = time.perf_counter() - start
print(json.dumps({"files": len(paths) * passes, "bytes": size * passes, "seconds": elapsed, "ok": ok}))
