import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  fingerprintOf,
  hostKeyAlgorithms,
  hostKeyMatches,
  type KnownHostKey,
  parseKnownHostKey,
} from '../../../src/sources/hostKey.ts';

/** An ssh-ed25519 public key blob (RFC 8709): string "ssh-ed25519", string key. */
function ed25519Blob(): Buffer {
  const { publicKey } = generateKeyPairSync('ed25519');
  const raw = publicKey.export({ format: 'der', type: 'spki' }).subarray(-32);
  const str = (b: Buffer) => Buffer.concat([Buffer.from([0, 0, 0, b.length]), b]);
  return Buffer.concat([str(Buffer.from('ssh-ed25519')), str(raw)]);
}

describe('the configured SFTP host key', () => {
  const blob = ed25519Blob();
  const line = `ssh-ed25519 ${blob.toString('base64')} root@eu1`;

  it('reads a .pub line, a known_hosts line and a SHA256 fingerprint', () => {
    const fromPub = parseKnownHostKey(line) as KnownHostKey;
    expect(fromPub).toMatchObject({ kind: 'key', type: 'ssh-ed25519' });
    expect(parseKnownHostKey(`[eu1.example.org]:2222 ${line}`)).toMatchObject({ kind: 'key', type: 'ssh-ed25519' });
    const fp = fingerprintOf(blob);
    expect(fp).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
    expect(parseKnownHostKey(fp)).toEqual({ kind: 'fingerprint', fingerprint: fp });
  });

  it('matches only the same key', () => {
    const other = ed25519Blob();
    for (const known of [parseKnownHostKey(line), parseKnownHostKey(fingerprintOf(blob))] as KnownHostKey[]) {
      expect(hostKeyMatches(known, blob)).toBe(true);
      expect(hostKeyMatches(known, other)).toBe(false);
    }
  });

  it('asks the server for the configured key type', () => {
    expect(hostKeyAlgorithms(parseKnownHostKey(line) as KnownHostKey)).toEqual(['ssh-ed25519']);
    expect(hostKeyAlgorithms(parseKnownHostKey(fingerprintOf(blob)) as KnownHostKey)).toBeUndefined();
  });

  it('says what is wrong with text that is not a host key', () => {
    expect(parseKnownHostKey('hello')).toHaveProperty('error');
    expect(parseKnownHostKey('ssh-ed25519 !!!')).toEqual({ error: 'the key after ssh-ed25519 is not base64' });
    expect(parseKnownHostKey(`ssh-rsa ${blob.toString('base64')}`)).toEqual({
      error: 'the base64 key does not hold a ssh-rsa key',
    });
  });
});
