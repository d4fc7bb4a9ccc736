import { describe, expect, it } from 'vitest';
import { type Config, loadConfig } from '../../../src/config/common.ts';
import { loadRunConfig, relayChannels } from '../../../src/config/run.ts';
import { configFailure } from '../../support/configFailure.ts';

const base: Config = loadConfig({ ET_LEDGER_SERVER_ID: 'eu1', ET_LEDGER_TZ: 'Europe/Ljubljana' });
const SECRET = 'a-secret-of-at-least-16-chars';
const HOST_KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHCTfpJ6Nh9drpDmbiMiFydQ0fmf1JPBfJPpbTtrbBrf test-host';

const file = (o: unknown) => JSON.stringify(o);

describe('run configuration', () => {
  it('one server needs no file: id and zone from the base config, the rest from ET_LEDGER_* variables', () => {
    const rc = loadRunConfig(
      { ET_LEDGER_REPORT_SECRET: SECRET, ET_LEDGER_WATCH_DIR: '/srv/a:/srv/b', ET_LEDGER_HTTP_PORT: '9000' },
      null,
      base,
    );
    expect(rc).toMatchObject({
      http: { host: '127.0.0.1', port: 9000, metricsToken: null },
      tickSec: 30,
      maxFileBytes: base.maxFileBytes,
      servers: [
        {
          id: 'eu1',
          tz: 'Europe/Ljubljana',
          reportSecret: SECRET,
          legacyToken: null,
          watchDirs: ['/srv/a', '/srv/b'],
          sftp: null,
        },
      ],
    });
    expect(loadRunConfig({}, null, base).http.port).toBe(8787);
  });

  it('reads servers from the file, with secrets from named variables and SFTP folders in order', () => {
    const rc = loadRunConfig(
      { ETL_EU1: SECRET, ET_LEDGER_HTTP_PORT: '0' },
      file({
        http: { port: 8080 },
        servers: [
          {
            id: 'eu1',
            reportSecretEnv: 'ETL_EU1',
            legacyToken: 'legacy-token-0123456789',
            sftp: {
              host: 'eu1.example.org',
              user: 'etl',
              privateKeyPath: '/k',
              knownHostKey: HOST_KEY,
              paths: { stats: '/g', spool: '/s' },
            },
          },
          { id: 'us1', tz: 'America/New_York', watchDirs: ['/srv/us1'] },
        ],
      }),
      base,
    );
    expect(rc.http.port).toBe(0); // the variable wins over the file
    expect(rc.servers[0]).toMatchObject({
      id: 'eu1',
      tz: 'Europe/Ljubljana',
      reportSecret: SECRET,
      legacyToken: 'legacy-token-0123456789',
    });
    expect(rc.servers[0]!.sftp).toMatchObject({
      host: 'eu1.example.org',
      port: 22,
      pollSec: 10,
      knownHostKey: { kind: 'key', type: 'ssh-ed25519' },
      folders: [
        { path: '/g', settle: 'stable' },
        { path: '/s', settle: 'rename' },
      ],
    });
    expect(rc.servers[1]).toMatchObject({ id: 'us1', tz: 'America/New_York', reportSecret: null, sftp: null });
  });

  it('names the variable, the problem and an example for a bad variable, and hides secrets', () => {
    const port = configFailure(() => loadRunConfig({ ET_LEDGER_HTTP_PORT: 'http' }, null, base));
    expect(port).toContain('ET_LEDGER_HTTP_PORT = "http"');
    expect(port).toContain('example: ET_LEDGER_HTTP_PORT=8787');
    const secret = configFailure(() => loadRunConfig({ ET_LEDGER_REPORT_SECRET: 'short' }, null, base));
    expect(secret).toContain('ET_LEDGER_REPORT_SECRET = (hidden): must be at least 16 characters');
    expect(secret).not.toContain('short');
  });

  it('names the field, the problem and an example for a bad file', () => {
    const m = configFailure(() =>
      loadRunConfig(
        {},
        file({
          servers: [
            {
              id: 'eu1',
              tz: 'Mars/Olympus',
              sftp: { host: 'h', user: 'u', privateKeyPath: '/k', knownHostKey: 'not a key', paths: {} },
            },
            { id: 'eu1', colour: 'red' },
          ],
        }),
        base,
        '--config run.json',
      ),
    );
    expect(m).toContain('servers[0].tz = "Mars/Olympus": not an IANA time zone');
    expect(m).toContain('servers[0].sftp.knownHostKey = "not a key"');
    expect(m).toContain('example: "knownHostKey": "ssh-ed25519 ');
    expect(m).toContain('servers[0].sftp.paths');
    expect(m).toContain('must name at least one of stats, spool, gametimes');
    expect(m).toContain('--config run.json, servers[1]: unknown field "colour"');
  });

  it('refuses duplicate server ids and tokens, unset secret variables, and both a secret and its variable', () => {
    expect(configFailure(() => loadRunConfig({}, file({ servers: [{ id: 'a' }, { id: 'a' }] }), base))).toContain(
      'servers[1].id = "a": is also the id of servers[0]',
    );
    const t = 'legacy-token-0123456789';
    expect(
      configFailure(() =>
        loadRunConfig(
          {},
          file({
            servers: [
              { id: 'a', legacyToken: t },
              { id: 'b', legacyToken: t },
            ],
          }),
          base,
        ),
      ),
    ).toContain('servers[1].legacyToken: is also the token of servers[0]');
    expect(
      configFailure(() => loadRunConfig({}, file({ servers: [{ id: 'a', reportSecretEnv: 'NOPE_UNSET' }] }), base)),
    ).toContain('servers[0].reportSecretEnv = "NOPE_UNSET": the variable NOPE_UNSET is not set');
    expect(
      configFailure(() =>
        loadRunConfig(
          { X: SECRET },
          file({ servers: [{ id: 'a', reportSecret: SECRET, reportSecretEnv: 'X' }] }),
          base,
        ),
      ),
    ).toContain('give reportSecret or reportSecretEnv, not both');
  });

  it('refuses per-server variables beside a file, and a file that is not JSON', () => {
    expect(
      configFailure(() => loadRunConfig({ ET_LEDGER_WATCH_DIR: '/x' }, file({ servers: [{ id: 'a' }] }), base)),
    ).toContain('ET_LEDGER_WATCH_DIR: only for a single server without a config file');
    expect(configFailure(() => loadRunConfig({}, '{ servers: [', base))).toContain(
      'the --config file is not valid JSON',
    );
    expect(configFailure(() => loadRunConfig({}, file({ servers: [] }), base))).toContain(
      'servers = []: must list at least one game server',
    );
  });
});

describe('HTTP address and metrics token', () => {
  const METRICS = 'metrics-token-0123456789';

  it('listens on 127.0.0.1 unless ET_LEDGER_HTTP_HOST or http.host says otherwise', () => {
    expect(loadRunConfig({}, null, base).http.host).toBe('127.0.0.1');
    expect(loadRunConfig({}, file({ servers: [{ id: 'a' }] }), base).http.host).toBe('127.0.0.1');
    expect(loadRunConfig({ ET_LEDGER_HTTP_HOST: '0.0.0.0' }, null, base).http.host).toBe('0.0.0.0');
    const f = file({ http: { host: '0.0.0.0' }, servers: [{ id: 'a' }] });
    expect(loadRunConfig({}, f, base).http.host).toBe('0.0.0.0');
    expect(loadRunConfig({ ET_LEDGER_HTTP_HOST: '::1' }, f, base).http.host).toBe('::1');
  });

  it('takes the metrics token from ET_LEDGER_METRICS_TOKEN, http.metricsToken or http.metricsTokenEnv', () => {
    expect(loadRunConfig({}, null, base).http.metricsToken).toBeNull();
    expect(loadRunConfig({ ET_LEDGER_METRICS_TOKEN: METRICS }, null, base).http.metricsToken).toBe(METRICS);
    const inFile = file({ http: { metricsToken: METRICS }, servers: [{ id: 'a' }] });
    expect(loadRunConfig({}, inFile, base).http.metricsToken).toBe(METRICS);
    // the variable is no per-server one: it is taken beside a file, and wins over it
    expect(loadRunConfig({ ET_LEDGER_METRICS_TOKEN: `${METRICS}-env` }, inFile, base).http.metricsToken).toBe(
      `${METRICS}-env`,
    );
    const named = file({ http: { metricsTokenEnv: 'ETL_METRICS' }, servers: [{ id: 'a' }] });
    expect(loadRunConfig({ ETL_METRICS: METRICS }, named, base).http.metricsToken).toBe(METRICS);
    expect(configFailure(() => loadRunConfig({}, named, base))).toContain(
      'http.metricsTokenEnv = "ETL_METRICS": the variable ETL_METRICS is not set',
    );
  });

  it('a bad metrics token is CONFIG_INVALID naming the variable or field, never showing the value', () => {
    const short = configFailure(() => loadRunConfig({ ET_LEDGER_METRICS_TOKEN: 'shorty' }, null, base));
    expect(short).toContain('ET_LEDGER_METRICS_TOKEN = (hidden): must be at least 16 characters');
    expect(short).toContain('example: ET_LEDGER_METRICS_TOKEN=');
    expect(short).not.toContain('shorty');
    const spaced = configFailure(() =>
      loadRunConfig({ ET_LEDGER_METRICS_TOKEN: 'has a space in it, 0123' }, null, base),
    );
    expect(spaced).toContain('ET_LEDGER_METRICS_TOKEN = (hidden): may hold only letters, digits');
    expect(spaced).not.toContain('has a space');
    const f = configFailure(() =>
      loadRunConfig({}, file({ http: { metricsToken: 'tiny-secret' }, servers: [{ id: 'a' }] }), base),
    );
    expect(f).toContain('http.metricsToken = (hidden): must be at least 16 characters');
    expect(f).toContain('example: "metricsToken": ');
    expect(f).not.toContain('tiny-secret');
    expect(
      configFailure(() =>
        loadRunConfig(
          { X: METRICS },
          file({ http: { metricsToken: METRICS, metricsTokenEnv: 'X' }, servers: [{ id: 'a' }] }),
          base,
        ),
      ),
    ).toContain('give metricsToken or metricsTokenEnv, not both');
  });
});

describe('Discord relay configuration', () => {
  const CHANNEL = '1012345678901234570';
  const HOOK_A = '1012345678901234571';
  const HOOK_B = '1012345678901234572';
  const TOKEN = 'MTIzNDU2Nzg5MDEyMzQ1Njc4.GAbCdE.xxxxxxxxxx';

  it('one server: channel, webhooks and delete from ET_LEDGER_RELAY_* variables', () => {
    const rc = loadRunConfig(
      {
        DISCORD_TOKEN: TOKEN,
        ET_LEDGER_RELAY_CHANNEL: CHANNEL,
        ET_LEDGER_RELAY_WEBHOOKS: `${HOOK_A}, ${HOOK_B}`,
        ET_LEDGER_RELAY_DELETE: 'true',
      },
      null,
      base,
    );
    expect(rc.servers[0]!.discordRelay).toEqual({
      channelId: CHANNEL,
      webhookIds: [HOOK_A, HOOK_B],
      deleteTrigger: true,
    });
    expect(relayChannels(rc)).toEqual([
      {
        serverId: 'eu1',
        tz: 'Europe/Ljubljana',
        channelId: CHANNEL,
        webhookIds: [HOOK_A, HOOK_B],
        deleteTrigger: true,
      },
    ]);
    const keep = loadRunConfig(
      { DISCORD_TOKEN: TOKEN, ET_LEDGER_RELAY_CHANNEL: CHANNEL, ET_LEDGER_RELAY_WEBHOOKS: HOOK_A },
      null,
      base,
    );
    expect(keep.servers[0]!.discordRelay!.deleteTrigger).toBe(false);
    expect(loadRunConfig({}, null, base).servers[0]!.discordRelay).toBeNull();
    expect(relayChannels(loadRunConfig({}, null, base))).toEqual([]);
  });

  it('reads discordRelay per server from the file, deleteTrigger false unless set', () => {
    const rc = loadRunConfig(
      { DISCORD_TOKEN: TOKEN },
      file({
        servers: [
          { id: 'eu1', discordRelay: { channelId: CHANNEL, webhookIds: [HOOK_A] } },
          {
            id: 'us1',
            tz: 'America/New_York',
            discordRelay: { channelId: HOOK_B, webhookIds: [HOOK_A], deleteTrigger: true },
          },
          { id: 'as1', watchDirs: ['/srv/as1'] },
        ],
      }),
      base,
    );
    expect(relayChannels(rc)).toEqual([
      { serverId: 'eu1', tz: 'Europe/Ljubljana', channelId: CHANNEL, webhookIds: [HOOK_A], deleteTrigger: false },
      { serverId: 'us1', tz: 'America/New_York', channelId: HOOK_B, webhookIds: [HOOK_A], deleteTrigger: true },
    ]);
    expect(rc.servers[2]!.discordRelay).toBeNull();
  });

  it('refuses a relay without DISCORD_TOKEN, naming the field', () => {
    expect(
      configFailure(() =>
        loadRunConfig({ ET_LEDGER_RELAY_CHANNEL: CHANNEL, ET_LEDGER_RELAY_WEBHOOKS: HOOK_A }, null, base),
      ),
    ).toContain('ET_LEDGER_RELAY_CHANNEL: the Discord relay reads the channel as a bot, and DISCORD_TOKEN is not set');
    const m = configFailure(() =>
      loadRunConfig(
        { DISCORD_TOKEN: '' },
        file({ servers: [{ id: 'a' }, { id: 'b', discordRelay: { channelId: CHANNEL, webhookIds: [HOOK_A] } }] }),
        base,
      ),
    );
    expect(m).toContain(
      'servers[1].discordRelay: the Discord relay reads the channel as a bot, and DISCORD_TOKEN is not set',
    );
    expect(m).toContain('example: DISCORD_TOKEN=');
  });

  it('names the variable or field, the problem and an example for bad ids and values', () => {
    const ch = configFailure(() =>
      loadRunConfig({ ET_LEDGER_RELAY_CHANNEL: '#stats', ET_LEDGER_RELAY_WEBHOOKS: HOOK_A }, null, base),
    );
    expect(ch).toContain('ET_LEDGER_RELAY_CHANNEL = "#stats": must be a Discord id: 17 to 20 digits');
    expect(ch).toContain('example: ET_LEDGER_RELAY_CHANNEL=1012345678901234570');
    const hooks = configFailure(() =>
      loadRunConfig({ ET_LEDGER_RELAY_CHANNEL: CHANNEL, ET_LEDGER_RELAY_WEBHOOKS: `${HOOK_A},12345` }, null, base),
    );
    expect(hooks).toContain(`ET_LEDGER_RELAY_WEBHOOKS = "${HOOK_A},12345": must be a Discord id`);
    const del = configFailure(() =>
      loadRunConfig(
        { ET_LEDGER_RELAY_CHANNEL: CHANNEL, ET_LEDGER_RELAY_WEBHOOKS: HOOK_A, ET_LEDGER_RELAY_DELETE: 'yes' },
        null,
        base,
      ),
    );
    expect(del).toContain('ET_LEDGER_RELAY_DELETE = "yes": must be true or false');
    expect(configFailure(() => loadRunConfig({ ET_LEDGER_RELAY_CHANNEL: CHANNEL }, null, base))).toContain(
      'ET_LEDGER_RELAY_WEBHOOKS: required when ET_LEDGER_RELAY_CHANNEL is set',
    );
    expect(configFailure(() => loadRunConfig({ ET_LEDGER_RELAY_WEBHOOKS: HOOK_A }, null, base))).toContain(
      'ET_LEDGER_RELAY_WEBHOOKS: set, but ET_LEDGER_RELAY_CHANNEL is not',
    );

    const f = configFailure(() =>
      loadRunConfig(
        { DISCORD_TOKEN: TOKEN },
        file({
          servers: [
            { id: 'a', discordRelay: { channelId: Number(CHANNEL), webhookIds: [], deleteTrigger: 'yes' } },
            { id: 'b', discordRelay: { channelId: CHANNEL, webhookIds: ['abc'], colour: 'red' } },
            { id: 'c', discordRelay: { channelId: CHANNEL, webhookIds: [HOOK_A] } },
          ],
        }),
        base,
      ),
    );
    expect(f).toContain('servers[0].discordRelay.channelId = 1012345678901234600: must be a Discord id in quotes');
    expect(f).toContain('(a string: Discord ids overflow JSON numbers)');
    expect(f).toContain('servers[0].discordRelay.webhookIds = []: must list at least one webhook id');
    expect(f).toContain('servers[0].discordRelay.deleteTrigger = "yes": must be true or false');
    expect(f).toContain('servers[1].discordRelay.webhookIds[0] = "abc": must be a Discord id');
    expect(f).toContain('servers[1].discordRelay: unknown field "colour"');
  });

  it('refuses one channel for two servers, and relay variables beside a file', () => {
    expect(
      configFailure(() =>
        loadRunConfig(
          { DISCORD_TOKEN: TOKEN },
          file({
            servers: [
              { id: 'a', discordRelay: { channelId: CHANNEL, webhookIds: [HOOK_A] } },
              { id: 'b', discordRelay: { channelId: CHANNEL, webhookIds: [HOOK_B] } },
            ],
          }),
          base,
        ),
      ),
    ).toContain(`servers[1].discordRelay.channelId = "${CHANNEL}": is also the relay channel of servers[0]`);
    expect(
      configFailure(() =>
        loadRunConfig(
          { ET_LEDGER_RELAY_CHANNEL: CHANNEL, ET_LEDGER_RELAY_WEBHOOKS: HOOK_A },
          file({ servers: [{ id: 'a' }] }),
          base,
        ),
      ),
    ).toContain('ET_LEDGER_RELAY_CHANNEL, ET_LEDGER_RELAY_WEBHOOKS: only for a single server without a config file');
  });
});
