// Verdicts and stats rows for the renderer tests, built field by field (no parsing involved).
import type { Verdict, VerdictPlayer } from '../../../src/events/index.ts';
import type { RoundPlayer } from '../../../src/sinks/discord/renderRoundSummary.ts';

export function verdict(over: Partial<Verdict> = {}): Verdict {
  return {
    roundKey: '0834d481-5273-8e0d-bc1b-328931b7bf45',
    serverId: 'eu1',
    map: 'supply',
    round: 2,
    statsFactId: '0834d481-5273-8e0d-bc1b-328931b7bf45',
    statsFileName: '2026-08-19-214737-supply-round-2.txt',
    fileTimeUnix: 1787168857,
    luaFactId: 'f',
    luaReportId: 'eu1:supply:2:1787168854',
    luaRoundEndUnix: 1787168854,
    deltaSec: 3,
    statsPlaytimeSec: 265,
    luaPlaytimeSec: 265,
    pausedSec: 0,
    pauseCount: 0,
    warmupSec: 0,
    wallClockSec: 265,
    timelimitSec: 543.54,
    fightingTimeSec: 265,
    diffSec: 0,
    status: 'ALIGNED',
    surrender: true,
    surrenderTeam: 2,
    outcome: 'FULL_HOLD',
    winner: 1,
    defender: 1,
    flags: [],
    players: [],
    correlatorVersion: 1,
    generation: 1,
    supersedes: [],
    watermarkUnix: 1787168900,
    ...over,
  };
}

/** `n` players a side; `name(i)` names player i (0-based over both teams). */
export function lineup(perTeam: number, name: (i: number) => string = (i) => `player${i}`) {
  const stats: RoundPlayer[] = [];
  const verdictPlayers: VerdictPlayer[] = [];
  for (let i = 0; i < perTeam * 2; i++) {
    const guid8 = i.toString(16).toUpperCase().padStart(8, '0');
    const team = i < perTeam ? 1 : 2;
    stats.push({
      guid8,
      name: name(i),
      team,
      kills: 10 + i,
      deaths: 5 + i,
      damageGiven: 1000 + i * 37,
      accuracy: 20 + i / 3,
      headshots: i,
      revivesGiven: i % 4,
    });
    verdictPlayers.push({
      guid8,
      fullGuid: null,
      name: name(i),
      team,
      damageGiven: 1000 + i * 37,
      statsTimeSec: 264,
      correctedTimeSec: 264,
      factor: 1,
      dpm: ((1000 + i * 37) * 60) / 264,
      correctedDpm: ((1000 + i * 37) * 60) / 264,
    });
  }
  return { stats, verdictPlayers };
}
