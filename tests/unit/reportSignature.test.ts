import { describe, expect, it } from 'vitest';
import { hmacSha256Hex, signReport, verifyReportSignature } from '../../src/sources/reportSignature.ts';
import { rfc4231 } from '../integration/lua/rfc4231.ts';

const secret = 'eu1-secret';
const body = Buffer.from('{"schema":"et-ledger.round/1","server":"eu1","name":"\u00e9\u0000"}');
const t = 1787168493;
const secretFor = (server: string) => (server === 'eu1' ? secret : undefined);
const verify = (over: Partial<Parameters<typeof verifyReportSignature>[0]> = {}) =>
  verifyReportSignature({ header: signReport(secret, body, t), body, server: 'eu1', secretFor, nowUnix: t, ...over });

describe('hmacSha256Hex', () => {
  it.each(rfc4231)('matches RFC 4231 $name', (v) => {
    const mac = hmacSha256Hex(Buffer.from(v.keyHex, 'hex'), Buffer.from(v.dataHex, 'hex'));
    expect(v.truncated ? mac.slice(0, v.macHex.length) : mac).toBe(v.macHex);
  });
});

describe('signReport', () => {
  it('signs "<t>.<body>" and writes t=<unix>,v1=<hex>', () => {
    expect(signReport(secret, body, t)).toBe(
      `t=${t},v1=${hmacSha256Hex(secret, Buffer.concat([Buffer.from(`${t}.`), body]))}`,
    );
  });

  it('signs a string body like its UTF-8 bytes', () => {
    const text = '{"name":"Vek\u00e9tor"}';
    expect(signReport(secret, text, t)).toBe(signReport(secret, Buffer.from(text, 'utf8'), t));
  });

  it('refuses a timestamp that is not whole unix seconds', () => {
    expect(() => signReport(secret, body, 1.5)).toThrow(RangeError);
    expect(() => signReport(secret, body, -1)).toThrow(RangeError);
  });
});

describe('verifyReportSignature', () => {
  it('accepts a correct signature, also within the tolerance either side', () => {
    expect(verify()).toEqual({ ok: true });
    expect(verify({ nowUnix: t + 300 })).toEqual({ ok: true });
    expect(verify({ nowUnix: t - 300 })).toEqual({ ok: true });
  });

  it.each([undefined, null, '', '   '])('answers missing for header %j', (header) => {
    expect(verify({ header })).toEqual({ ok: false, reason: 'missing' });
  });

  it.each([
    'garbage',
    `t=${t}`,
    `v1=${'a'.repeat(64)}`,
    `t=abc,v1=${'a'.repeat(64)}`,
    `t=${t},v1=${'a'.repeat(63)}`,
    `t=${t},v1=${'g'.repeat(64)}`,
    `t=${t},t=${t},v1=${'a'.repeat(64)}`,
    `t=-5,v1=${'a'.repeat(64)}`,
  ])('answers malformed for %s', (header) => {
    expect(verify({ header })).toEqual({ ok: false, reason: 'malformed' });
  });

  it('answers unknown_server when no secret exists for the report server', () => {
    expect(verify({ server: 'eu9' })).toEqual({ ok: false, reason: 'unknown_server' });
    expect(verify({ server: undefined })).toEqual({ ok: false, reason: 'unknown_server' });
    expect(verify({ secretFor: () => '' })).toEqual({ ok: false, reason: 'unknown_server' });
  });

  it('answers bad_signature for a changed body, another secret or a changed timestamp', () => {
    const changed = Buffer.from(body);
    changed[5] = changed[5]! ^ 1;
    expect(verify({ body: changed })).toEqual({ ok: false, reason: 'bad_signature' });
    expect(verify({ header: signReport('other', body, t) })).toEqual({ ok: false, reason: 'bad_signature' });
    const header = signReport(secret, body, t).replace(`t=${t}`, `t=${t + 1}`);
    expect(verify({ header, nowUnix: t + 1 })).toEqual({ ok: false, reason: 'bad_signature' });
  });

  it('answers stale beyond the tolerance, only for an authentic signature', () => {
    expect(verify({ nowUnix: t + 301 })).toEqual({ ok: false, reason: 'stale' });
    expect(verify({ nowUnix: t - 301 })).toEqual({ ok: false, reason: 'stale' });
    expect(verify({ nowUnix: t + 30, toleranceSec: 10 })).toEqual({ ok: false, reason: 'stale' });
    expect(verify({ header: signReport('other', body, t), nowUnix: t + 1000 })).toEqual({
      ok: false,
      reason: 'bad_signature',
    });
  });

  it('accepts any matching v1 (secret rotation), ignores unknown keys, reads upper-case hex and header arrays', () => {
    const good = signReport(secret, body, t);
    const old = signReport('previous', body, t).split(',')[1]!;
    expect(verify({ header: `${good},${old}` })).toEqual({ ok: true });
    expect(verify({ header: `t=${t},${old},v0=zz,${good.split(',')[1]}` })).toEqual({ ok: true });
    expect(verify({ header: good.replace(/v1=(\w+)/, (_, h: string) => `v1=${h.toUpperCase()}`) })).toEqual({
      ok: true,
    });
    expect(verify({ header: good.split(',') })).toEqual({ ok: true });
  });
});
