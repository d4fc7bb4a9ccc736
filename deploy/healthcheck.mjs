#!/usr/bin/env node
// Container health check (Dockerfile HEALTHCHECK, docker-compose.yml): GET /healthz of the service
// in this container with node's own fetch (the runtime image has no curl); exit 0 on 200, else 1.
//   node deploy/healthcheck.mjs [URL]
// Without URL: the receiver's port from ET_LEDGER_HTTP_PORT (default 8787) on 127.0.0.1, over
// HTTPS when ET_LEDGER_HTTP_TLS_CERT is set (the certificate names the public host, not 127.0.0.1,
// so it is not verified here: only this container's own loopback is asked).
const env = process.env;
const tls = Boolean(env.ET_LEDGER_HTTP_TLS_CERT);
const host =
  env.ET_LEDGER_HTTP_HOST && !['0.0.0.0', '::', '[::]'].includes(env.ET_LEDGER_HTTP_HOST)
    ? env.ET_LEDGER_HTTP_HOST
    : '127.0.0.1';
const url =
  process.argv[2] ??
  `${tls ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${env.ET_LEDGER_HTTP_PORT || '8787'}/healthz`;
if (url.startsWith('https:')) env.NODE_TLS_REJECT_UNAUTHORIZED = '0';
try {
  const res = await fetch(url, { signal: AbortSignal.timeout(4000) });
  const body = (await res.text()).slice(0, 300);
  console.log(`${url}: ${res.status} ${body}`);
  process.exit(res.status === 200 ? 0 : 1);
} catch (e) {
  console.log(`${url}: ${e?.cause?.code ?? e?.name ?? 'error'} ${e?.message ?? e}`);
  process.exit(1);
}
