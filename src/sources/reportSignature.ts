// Signature of a report POSTed by the game-server script (shared/spec/lua-report.md, delivery step 3):
//   X-ET-Ledger-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body bytes>")>
// The receiver picks the secret by the report's `server` and refuses a signature older or newer than
// the tolerance. Pure functions: the caller supplies the clock and the secret lookup.
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'x-et-ledger-signature';
export const DEFAULT_TOLERANCE_SEC = 300;

export type Bytes = Uint8Array | string;

export type SignatureFailure = 'missing' | 'malformed' | 'bad_signature' | 'stale' | 'unknown_server';
export type SignatureCheck = { ok: true } | { ok: false; reason: SignatureFailure };

export function hmacSha256Hex(key: Bytes, data: Bytes): string {
  return createHmac('sha256', key).update(data).digest('hex');
}

function reportDigest(secret: Bytes, t: number, body: Bytes): Buffer {
  return createHmac('sha256', secret).update(`${t}.`).update(body).digest();
}

/** The header value for `body` signed at unix second `t`. */
export function signReport(secret: Bytes, body: Bytes, t: number): string {
  if (!Number.isSafeInteger(t) || t < 0) throw new RangeError(`t must be whole unix seconds, got ${t}`);
  return `t=${t},v1=${reportDigest(secret, t, body).toString('hex')}`;
}

type ParsedHeader = { t: number; v1: Buffer[] };

/** `t=<digits>,v1=<64 hex>[,v1=…]`; other keys are ignored so a later scheme can be added beside v1. */
function parseHeader(header: string): ParsedHeader | null {
  let t: number | null = null;
  const v1: Buffer[] = [];
  for (const part of header.split(',')) {
    const eq = part.indexOf('=');
    if (eq < 0) return null;
    const key = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (key === 't') {
      if (t !== null || !/^\d{1,15}$/.test(value)) return null;
      t = Number(value);
    } else if (key === 'v1') {
      if (!/^[0-9a-fA-F]{64}$/.test(value)) return null;
      v1.push(Buffer.from(value, 'hex'));
    }
  }
  return t === null || v1.length === 0 ? null : { t, v1 };
}

export type VerifyOptions = {
  header: string | string[] | null | undefined;
  body: Bytes;
  /** The report's `server`: it chooses the secret. */
  server: string | null | undefined;
  secretFor: (server: string) => Bytes | undefined;
  nowUnix: number;
  toleranceSec?: number;
};

/**
 * Checks in this order: header present, well formed, server known, signature matches (constant time),
 * timestamp within the tolerance. `stale` is reported only for an authentic signature, so it means clock
 * skew or a replay, never a wrong secret.
 */
export function verifyReportSignature(opts: VerifyOptions): SignatureCheck {
  const header = Array.isArray(opts.header) ? opts.header.join(',') : opts.header;
  if (header === null || header === undefined || header.trim() === '') return { ok: false, reason: 'missing' };
  const parsed = parseHeader(header);
  if (!parsed) return { ok: false, reason: 'malformed' };
  const secret = opts.server ? opts.secretFor(opts.server) : undefined;
  if (secret === undefined || secret.length === 0) return { ok: false, reason: 'unknown_server' };
  const expected = reportDigest(secret, parsed.t, opts.body);
  if (!parsed.v1.some((given) => timingSafeEqual(given, expected))) return { ok: false, reason: 'bad_signature' };
  const tolerance = opts.toleranceSec ?? DEFAULT_TOLERANCE_SEC;
  if (Math.abs(opts.nowUnix - parsed.t) > tolerance) return { ok: false, reason: 'stale' };
  return { ok: true };
}
