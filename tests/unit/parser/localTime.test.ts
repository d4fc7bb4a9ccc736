// Local file-name time → UTC candidates, across DST changes (spec/correlation.md "Three clocks").
import { describe, expect, it } from 'vitest';
import { fileTimeToUtcCandidates, MAX_READING_SPAN_SEC } from '../../../src/parser/localTime.ts';

const t = (year: number, month: number, day: number, hour: number, minute: number, second: number) => ({
  year,
  month,
  day,
  hour,
  minute,
  second,
});
const utc = (iso: string) => Date.parse(iso) / 1000;

describe('fileTimeToUtcCandidates', () => {
  it('turns a CEST summer time into one UTC instant (supply R1 file)', () => {
    expect(fileTimeToUtcCandidates(t(2026, 8, 19, 21, 41, 36), 'Europe/Ljubljana')).toEqual([
      utc('2026-08-19T19:41:36Z'),
    ]);
  });

  it('gives CET in winter', () => {
    expect(fileTimeToUtcCandidates(t(2026, 1, 10, 12, 0, 0), 'Europe/Ljubljana')).toEqual([
      utc('2026-01-10T11:00:00Z'),
    ]);
  });

  it('gives two candidates in the autumn overlap, earlier first', () => {
    expect(fileTimeToUtcCandidates(t(2026, 10, 25, 2, 30, 0), 'Europe/Ljubljana')).toEqual([
      utc('2026-10-25T00:30:00Z'),
      utc('2026-10-25T01:30:00Z'),
    ]);
  });

  it('shifts a time in the spring gap forward', () => {
    // 02:30 does not exist on 2026-03-29 in Ljubljana: read as 03:30 CEST.
    expect(fileTimeToUtcCandidates(t(2026, 3, 29, 2, 30, 0), 'Europe/Ljubljana')).toEqual([
      utc('2026-03-29T01:30:00Z'),
    ]);
  });

  it('handles southern-hemisphere and half-hour zones, and UTC', () => {
    expect(fileTimeToUtcCandidates(t(2026, 4, 5, 2, 30, 0), 'Australia/Sydney')).toEqual([
      utc('2026-04-04T15:30:00Z'),
      utc('2026-04-04T16:30:00Z'),
    ]);
    expect(fileTimeToUtcCandidates(t(2026, 8, 19, 21, 41, 36), 'Asia/Kolkata')).toEqual([utc('2026-08-19T16:11:36Z')]);
    expect(fileTimeToUtcCandidates(t(2026, 8, 19, 21, 41, 36), 'UTC')).toEqual([utc('2026-08-19T21:41:36Z')]);
  });

  it('returns no candidate for an unknown zone or an impossible date', () => {
    expect(fileTimeToUtcCandidates(t(2026, 8, 19, 21, 41, 36), 'Mars/Olympus')).toEqual([]);
    expect(fileTimeToUtcCandidates(t(2026, 2, 30, 12, 0, 0), 'UTC')).toEqual([]);
  });
});

describe('MAX_READING_SPAN_SEC (the correlator bounds its candidate lookups by it)', () => {
  const wallAsUtc = (l: ReturnType<typeof t>) =>
    Date.UTC(l.year, l.month - 1, l.day, l.hour, l.minute, l.second) / 1000;

  it('every reading lies within a day of the wall time read as UTC: every zone, times from 1900 to 2100', () => {
    let seed = 20261207;
    const random = () => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed / 2 ** 32;
    };
    let readings = 0;
    for (const tz of Intl.supportedValuesOf('timeZone')) {
      for (let i = 0; i < 40; i++) {
        const d = new Date(Date.UTC(1900, 0, 1) + random() * 200 * 365.25 * 86_400_000);
        const local = t(d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes(), 0);
        for (const r of fileTimeToUtcCandidates(local, tz)) {
          expect(Math.abs(r - wallAsUtc(local))).toBeLessThan(86_400);
          readings++;
        }
      }
    }
    expect(readings).toBeGreaterThan(10_000);
  });

  it('the widest folds we know are well inside it', () => {
    // Antarctica/Casey went from +11 back to +08 on 2010-03-05 (a 3-hour overlap); Lord Howe's is 30 minutes.
    const casey = fileTimeToUtcCandidates(t(2010, 3, 5, 1, 30, 0), 'Antarctica/Casey');
    const lordHowe = fileTimeToUtcCandidates(t(2026, 4, 5, 1, 45, 0), 'Australia/Lord_Howe');
    const spans = [casey, lordHowe].map((r) => r[r.length - 1]! - r[0]!);
    expect(spans).toEqual([3 * 3600, 1800]);
    for (const span of spans) expect(span).toBeLessThan(MAX_READING_SPAN_SEC);
  });
});
