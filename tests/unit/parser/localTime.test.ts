// Local file-name time → UTC candidates, across DST changes (spec/correlation.md "Three clocks").
import { describe, expect, it } from 'vitest';
import { fileTimeToUtcCandidates } from '../../../src/parser/localTime.ts';

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
