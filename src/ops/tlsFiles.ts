// The HTTP receiver's certificate and key (ET_LEDGER_HTTP_TLS_CERT / _KEY, or http.tls in the
// --config file): read and checked before anything starts (a bad file is a configuration error),
// and read again on SIGHUP, when a failure is logged and the certificate in use stays (a renewal
// job that wrote half a file must not take the service down).
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createSecureContext } from 'node:tls';
import { invalidRunConfig, type TlsRunConfig } from '../config/service.ts';
import type { Logger } from '../logger.ts';

export type TlsPair = { cert: Buffer; key: Buffer };

/** What an operator checks of a served certificate: the same fields `openssl x509 -serial -fingerprint` prints. */
export type CertificateInfo = {
  subject: string;
  serial: string;
  sha256: string;
  notAfter: string;
  notAfterUnix: number;
};

/** A problem with one of the two files, naming the setting that names it. */
export class TlsFileError extends Error {
  readonly setting: string;
  readonly path: string;
  constructor(setting: string, path: string, message: string) {
    super(`${setting} = ${JSON.stringify(path)}: ${message}`);
    this.name = 'TlsFileError';
    this.setting = setting;
    this.path = path;
  }
}

const examples: Record<string, string> = {
  ET_LEDGER_HTTP_TLS_CERT: 'ET_LEDGER_HTTP_TLS_CERT=/etc/letsencrypt/live/stats.example.org/fullchain.pem',
  ET_LEDGER_HTTP_TLS_KEY: 'ET_LEDGER_HTTP_TLS_KEY=/etc/letsencrypt/live/stats.example.org/privkey.pem',
  'http.tls.certPath': '"certPath": "/etc/letsencrypt/live/stats.example.org/fullchain.pem"',
  'http.tls.keyPath': '"keyPath": "/etc/letsencrypt/live/stats.example.org/privkey.pem"',
};

/** Reads both files and checks that they are a PEM certificate and its private key; throws TlsFileError. */
export async function readTlsPair(tls: TlsRunConfig): Promise<TlsPair & { info: CertificateInfo }> {
  const read = async (setting: string, path: string) => {
    try {
      return await readFile(path);
    } catch (e) {
      throw new TlsFileError(setting, path, `cannot read the file (${(e as Error).message})`);
    }
  };
  const cert = await read(tls.certSetting, tls.certPath);
  const key = await read(tls.keySetting, tls.keyPath);
  let info: CertificateInfo;
  try {
    info = certificateInfo(cert);
  } catch (e) {
    throw new TlsFileError(
      tls.certSetting,
      tls.certPath,
      `is not a PEM certificate (${(e as Error).message}); expected -----BEGIN CERTIFICATE-----`,
    );
  }
  try {
    createPrivateKey(key);
  } catch (e) {
    throw new TlsFileError(
      tls.keySetting,
      tls.keyPath,
      `is not an unencrypted PEM private key (${(e as Error).message}); expected -----BEGIN PRIVATE KEY-----`,
    );
  }
  try {
    createSecureContext({ cert, key });
  } catch (e) {
    throw new TlsFileError(
      tls.keySetting,
      tls.keyPath,
      `is not the private key of ${tls.certSetting} = ${JSON.stringify(tls.certPath)} (${(e as Error).message})`,
    );
  }
  return { cert, key, info };
}

/** readTlsPair at start: a bad file is CONFIG_INVALID in the shape of every other run setting. */
export async function readTlsPairAtStart(tls: TlsRunConfig): Promise<TlsPair & { info: CertificateInfo }> {
  try {
    return await readTlsPair(tls);
  } catch (e) {
    if (!(e instanceof TlsFileError)) throw e;
    const example = examples[e.setting];
    throw invalidRunConfig([`  ${e.message}${example ? `\n    example: ${example}` : ''}`]);
  }
}

/** The first certificate of a PEM file (the server's own, before its chain). */
export function certificateInfo(pem: Buffer): CertificateInfo {
  const c = new X509Certificate(pem);
  const notAfterUnix = Math.floor(Date.parse(c.validTo) / 1000);
  return {
    subject: c.subject.replace(/\n/g, ', '),
    serial: c.serialNumber.toUpperCase(),
    sha256: c.fingerprint256,
    notAfter: new Date(notAfterUnix * 1000).toISOString(),
    notAfterUnix,
  };
}

/**
 * Re-reads the pair on SIGHUP and hands it to `apply` (the receiver's setSecureContext): new
 * handshakes get the new certificate, open connections keep theirs, nothing is dropped. A bad
 * file is one error line and the certificate in use stays. Returns the function that stops listening.
 */
export function reloadTlsOnSighup(
  tls: TlsRunConfig,
  apply: (pair: TlsPair, info: CertificateInfo) => void,
  log: Logger,
): () => void {
  let busy = Promise.resolve();
  const onHup = () => {
    busy = busy.then(async () => {
      try {
        const { info, ...pair } = await readTlsPair(tls);
        apply(pair, info);
        log.info({ certificate: info, cert: tls.certPath }, 'TLS certificate reloaded (SIGHUP)');
      } catch (e) {
        log.error(
          { err: e instanceof Error ? e.message : String(e), cert: tls.certPath, key: tls.keyPath },
          'TLS certificate not reloaded: keeping the one in use',
        );
      }
    });
  };
  process.on('SIGHUP', onHup);
  return () => process.off('SIGHUP', onHup);
}
