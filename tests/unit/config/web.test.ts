import { describe, expect, it } from 'vitest';
import { loadWebConfig, roundPageUrl } from '../../../src/config/web.ts';
import { LedgerError } from '../../../src/errors.ts';

describe('web configuration', () => {
  it('defaults to loopback, no port for run, no public URL', () => {
    expect(loadWebConfig({})).toEqual({ port: null, host: '127.0.0.1', publicUrl: null });
  });

  it('takes the flags over the variables and trims the public URL', () => {
    const c = loadWebConfig(
      { ET_LEDGER_WEB_PORT: '8791', ET_LEDGER_WEB_HOST: '::1', ET_LEDGER_PUBLIC_URL: 'https://stats.example.org/' },
      { port: '9000' },
    );
    expect(c).toEqual({ port: 9000, host: '::1', publicUrl: 'https://stats.example.org' });
    expect(roundPageUrl(c.publicUrl, 'a b')).toBe('https://stats.example.org/rounds/a%20b');
  });

  it.each([
    [{ ET_LEDGER_WEB_PORT: '70000' }, 'ET_LEDGER_WEB_PORT (or --port) = "70000": must be a port from 0 to 65535'],
    [{ ET_LEDGER_WEB_PORT: 'http' }, 'ET_LEDGER_WEB_PORT (or --port) = "http"'],
    [
      { ET_LEDGER_PUBLIC_URL: 'javascript:alert(1)' },
      'ET_LEDGER_PUBLIC_URL = "javascript:alert(1)": must be an http(s) URL',
    ],
    [{ ET_LEDGER_WEB_HOST: 'a b' }, 'ET_LEDGER_WEB_HOST (or --host) = "a b": must be a host name or an IP address'],
  ])('refuses %j naming the variable', (env, message) => {
    try {
      loadWebConfig(env);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(LedgerError);
      expect((e as LedgerError).code).toBe('CONFIG_INVALID');
      expect((e as Error).message).toContain(message);
    }
  });
});
