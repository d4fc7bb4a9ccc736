// The SFTP server's expected host key, as an operator copies it: a public key line
// (`ssh-ed25519 AAAAC3Nz… [comment]`, e.g. from /etc/ssh/ssh_host_ed25519_key.pub or `ssh-keyscan`,
// a known_hosts line with its host field is accepted too) or an OpenSSH fingerprint (`SHA256:…`,
// from `ssh-keygen -lf`). Pure functions.
import { createHash } from 'node:crypto';

export type KnownHostKey =
  | { kind: 'key'; type: string; blob: Buffer; fingerprint: string }
  | { kind: 'fingerprint'; fingerprint: string };

const keyTypes =
  /^(ssh-ed25519|ssh-ed448|ssh-rsa|ssh-dss|ecdsa-sha2-nistp(256|384|521)|sk-ssh-ed25519@openssh\.com|sk-ecdsa-sha2-nistp256@openssh\.com)$/;

/** OpenSSH's fingerprint of a key blob: `SHA256:` + unpadded base64 of its sha256. */
export function fingerprintOf(blob: Uint8Array): string {
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

/** The key type written at the start of a key blob (`string` in RFC 4253 §6.6). */
export function keyTypeOf(blob: Uint8Array): string {
  if (blob.length < 4) return 'unknown';
  const len = Buffer.from(blob).readUInt32BE(0);
  return len > 0 && len < 64 && blob.length >= 4 + len
    ? Buffer.from(blob.subarray(4, 4 + len)).toString('latin1')
    : 'unknown';
}

/** Parses the configured text, or returns why it is not a host key. */
export function parseKnownHostKey(text: string): KnownHostKey | { error: string } {
  const trimmed = text.trim();
  const fp = /^SHA256:([A-Za-z0-9+/]{43})=?$/.exec(trimmed);
  if (fp) return { kind: 'fingerprint', fingerprint: `SHA256:${fp[1]}` };
  const words = trimmed.split(/\s+/);
  const at = words.findIndex((w) => keyTypes.test(w));
  if (at < 0 || at > 1) {
    return { error: 'expected "<key type> <base64 key>" (a .pub or known_hosts line) or a SHA256: fingerprint' };
  }
  const type = words[at]!;
  const b64 = words[at + 1] ?? '';
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(b64)) return { error: `the key after ${type} is not base64` };
  const blob = Buffer.from(b64, 'base64');
  if (keyTypeOf(blob) !== type) return { error: `the base64 key does not hold a ${type} key` };
  return { kind: 'key', type, blob, fingerprint: fingerprintOf(blob) };
}

export function hostKeyMatches(known: KnownHostKey, presented: Uint8Array): boolean {
  return known.kind === 'key' ? known.blob.equals(presented) : known.fingerprint === fingerprintOf(presented);
}

/** ssh2 `algorithms.serverHostKey` that make the server present the configured key's type. */
export function hostKeyAlgorithms(known: KnownHostKey): string[] | undefined {
  if (known.kind !== 'key') return undefined;
  if (known.type === 'ssh-rsa') return ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'];
  return [known.type];
}
