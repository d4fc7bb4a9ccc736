// The start-up line of `run`: every sink and source on or off, with the setting that decides it,
// named as the operator wrote it (a variable without a file, a field with one); and the TLS settings.
import { describe, expect, it } from 'vitest';
import { type Config, loadConfig } from '../../../src/config/common.ts';
import { loadRunConfig } from '../../../src/config/run.ts';
import { startupSummary } from '../../../src/ops/startupSummary.ts';
import { configFailure } from '../../support/configFailure.ts';

const base: Config = loadConfig({ ET_LEDGER_SERVER_ID: 'eu1', ET_LEDGER_TZ: 'Europe/Ljubljana' });
const SECRET = 'a-secret-of-at-least-16-chars';
const HOST_KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHCTfpJ6Nh9drpDmbiMiFydQ0fmf1JPBfJPpbTtrbBrf test-host';
const receiver = { host: '127.0.0.1', port: 8787, protocol: 'http' as const };
const web = { port: null, host: '127.0.0.1' };

describe('the start-up summary', () => {
  it('without a file: every part off names the variable that would turn it on', () => {
    const rc = loadRunConfig({ ET_LEDGER_WATCH_DIR: '/srv/a:/srv/b' }, null, base);
    const s = startupSummary({
      rc,
      fromFile: false,
      discord: null,
      web,
      kafkaBrokers: null,
      receiver,
      folderProblems: new Map([['/srv/b', 'missing']]),
    });
    expect(s.sinks).toEqual({
      discord: 'off: no DISCORD_TOKEN',
      kafka: 'off: no KAFKA_BROKERS',
      web: 'off: no ET_LEDGER_WEB_PORT',
    });
    expect(s.sources).toEqual({
      http: 'on: http://127.0.0.1:8787 (plain HTTP: no ET_LEDGER_HTTP_TLS_CERT), /metrics open',
      kafka: 'off: no KAFKA_BROKERS',
    });
    expect(s.servers.eu1).toEqual({
      reports: 'off: no ET_LEDGER_REPORT_SECRET',
      legacy: 'off: no ET_LEDGER_LEGACY_TOKEN',
      folders: { '/srv/a': 'on', '/srv/b': 'on, but missing: /healthz says degraded until it can' },
      sftp: 'off: SFTP is configured in a --config file (servers[].sftp)',
      discordRelay: 'off: no ET_LEDGER_RELAY_CHANNEL',
    });
  });

  it('with a file, TLS, Discord, Kafka and the web pages: what each does, and fields named by their path', () => {
    const rc = loadRunConfig(
      { ET_LEDGER_HTTP_TLS_CERT: '/etc/tls/cert.pem', ET_LEDGER_HTTP_TLS_KEY: '/etc/tls/key.pem' },
      JSON.stringify({
        http: { metricsToken: 'q3Vx8nR2mK7pL4wT9sY6' },
        servers: [
          { id: 'eu1', reportSecret: SECRET },
          {
            id: 'us1',
            sftp: {
              host: 'us1.example.org',
              user: 'etl',
              privateKeyPath: '/k',
              knownHostKey: HOST_KEY,
              paths: { stats: '/s' },
            },
          },
        ],
      }),
      base,
    );
    const s = startupSummary({
      rc,
      fromFile: true,
      discord: {
        token: 'x'.repeat(30),
        guildId: '1012345678901234567',
        channels: { rounds: '1012345678901234568', timing: null },
        api: 'https://discord.com/api',
        postMaxAgeSec: 0,
      },
      web: { port: 8790, host: '127.0.0.1' },
      kafkaBrokers: 'kafka:9092',
      receiver: { ...receiver, protocol: 'https' },
    });
    expect(s.sinks).toEqual({
      discord: 'on: rounds to channel 1012345678901234568, slash commands in guild 1012345678901234567',
      kafka: 'on: stored events to Kafka at kafka:9092',
      web: 'on: web pages on 127.0.0.1:8790',
    });
    expect(s.sources.http).toBe(
      'on: https://127.0.0.1:8787 (TLS from ET_LEDGER_HTTP_TLS_CERT, reloaded on SIGHUP), /metrics needs the bearer token',
    );
    expect(s.sources.kafka).toBe('on: facts from Kafka at kafka:9092');
    expect(s.servers.eu1).toMatchObject({
      reports: 'on: POST /v1/reports takes its signed Lua reports',
      legacy: 'off: no servers[0].legacyToken (or legacyTokenEnv)',
      folders: 'off: no servers[0].watchDirs',
      sftp: 'off: no servers[0].sftp',
      discordRelay: 'off: no servers[0].discordRelay',
    });
    expect(s.servers.us1!.sftp).toBe('on: etl@us1.example.org:22 /s every 10 s');
    expect(JSON.stringify(s)).not.toContain(SECRET);
    expect(JSON.stringify(s)).not.toContain('q3Vx8nR2mK7pL4wT9sY6');
  });

  it('a Discord token without a post channel leaves the sink off and says why', () => {
    const rc = loadRunConfig({}, null, base);
    const s = startupSummary({
      rc,
      fromFile: false,
      discord: {
        token: 'x'.repeat(30),
        guildId: null,
        channels: { rounds: null, timing: null },
        api: '',
        postMaxAgeSec: 0,
      },
      web,
      kafkaBrokers: null,
      receiver,
    });
    expect(s.sinks.discord).toMatch(/^off: DISCORD_TOKEN is set but none of ET_LEDGER_CHANNEL_ROUNDS/);
  });
});

describe('TLS settings of the run configuration', () => {
  it('http.tls in the file, overridden by both variables; none: plain HTTP', () => {
    const text = JSON.stringify({
      http: { tls: { certPath: '/f/cert.pem', keyPath: '/f/key.pem' } },
      servers: [{ id: 'eu1' }],
    });
    expect(loadRunConfig({}, text, base).http.tls).toEqual({
      certPath: '/f/cert.pem',
      keyPath: '/f/key.pem',
      certSetting: 'http.tls.certPath',
      keySetting: 'http.tls.keyPath',
    });
    expect(
      loadRunConfig({ ET_LEDGER_HTTP_TLS_CERT: '/e/cert.pem', ET_LEDGER_HTTP_TLS_KEY: '/e/key.pem' }, text, base).http
        .tls,
    ).toMatchObject({ certPath: '/e/cert.pem', keyPath: '/e/key.pem', certSetting: 'ET_LEDGER_HTTP_TLS_CERT' });
    expect(loadRunConfig({}, null, base).http.tls).toBeNull();
  });

  it('one variable without the other is refused in the shape of every setting, naming both', () => {
    expect(configFailure(() => loadRunConfig({ ET_LEDGER_HTTP_TLS_CERT: '/e/cert.pem' }, null, base))).toBe(
      'invalid run configuration:\n' +
        '  ET_LEDGER_HTTP_TLS_KEY = (unset): must be set together with ET_LEDGER_HTTP_TLS_CERT: HTTPS needs both the certificate and its private key (or set neither for plain HTTP)\n' +
        '    example: ET_LEDGER_HTTP_TLS_KEY=/etc/et-ledger/tls/privkey.pem',
    );
    expect(configFailure(() => loadRunConfig({ ET_LEDGER_HTTP_TLS_KEY: '/e/key.pem' }, null, base))).toContain(
      'ET_LEDGER_HTTP_TLS_CERT = (unset): must be set together with ET_LEDGER_HTTP_TLS_KEY',
    );
    expect(
      configFailure(() =>
        loadRunConfig({}, JSON.stringify({ http: { tls: { certPath: '/c' } }, servers: [{ id: 'eu1' }] }), base),
      ),
    ).toContain('http.tls.keyPath = missing: is required');
  });
});
