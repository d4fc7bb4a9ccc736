# syntax=docker/dockerfile:1
# The et-ledger image: `et-ledger run` by default, any command otherwise (`docker run IMAGE status`).
#   docker build -t et-ledger .
#   docker run -d --name et-ledger --init --env-file /etc/et-ledger/env \
#     -e ET_LEDGER_HTTP_HOST=0.0.0.0 -p 127.0.0.1:8787:8787 -v et-ledger:/var/lib/et-ledger et-ledger
# Written by reading Docker's and the node image's documentation; not built where it was written
# (no Docker on those machines): treat the first build as a test (docs/deploy.md).
#
# Supported Node: 22 LTS (what CI runs the suite on) and 24 LTS (build with --build-arg NODE_MAJOR=24).
ARG NODE_MAJOR=22

# 1. Compile: every dependency (TypeScript is a dev one), then `npm run build` → dist/.
FROM node:${NODE_MAJOR}-bookworm AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY deploy/build.mjs deploy/build.mjs
COPY src src
COPY projections projections
COPY samples samples
RUN npm run build

# 2. Production dependencies only, built for this Node (ssh2's native crypto needs the full image's
#    compilers; @napi-rs/canvas ships a prebuilt glibc binary).
FROM node:${NODE_MAJOR}-bookworm AS deps
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund \
 && test -f node_modules/ssh2/lib/protocol/crypto/build/Release/sshcrypto.node

# 3. Runtime: the slim image (same Debian, same glibc), no compilers, no sources, a non-root user.
FROM node:${NODE_MAJOR}-bookworm-slim AS runtime
# DejaVu: the chart's fallback for characters the bundled Noto fonts lack (src/sinks/discord/fonts).
RUN apt-get update \
 && apt-get install -y --no-install-recommends fonts-dejavu-core \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 et-ledger \
 && useradd --system --uid 10001 --gid et-ledger --home-dir /var/lib/et-ledger --shell /usr/sbin/nologin et-ledger \
 && install -d -o et-ledger -g et-ledger -m 0750 /var/lib/et-ledger
WORKDIR /opt/et-ledger
COPY --from=deps /src/node_modules node_modules
COPY --from=build /src/dist dist
COPY package.json package-lock.json ./
COPY bin bin
COPY deploy/healthcheck.mjs deploy/healthcheck.mjs
# No src/ in the image: bin/et-ledger.js runs dist/ (it falls back to src/ through tsx only when
# dist/ is missing or older than src/).
ENV NODE_ENV=production \
    ET_LEDGER_STORE=embedded:/var/lib/et-ledger/store \
    ET_LEDGER_HTTP_HOST=0.0.0.0 \
    ET_LEDGER_HTTP_PORT=8787
# 0.0.0.0 inside the container so a published port reaches it; publish it on 127.0.0.1 (or put a
# TLS proxy in front and set ET_LEDGER_METRICS_TOKEN) — never bare on all interfaces.
EXPOSE 8787
VOLUME ["/var/lib/et-ledger"]
USER et-ledger
# node is PID 1 and the only process (no npm/npx wrapper): SIGTERM (docker stop) reaches the service,
# which stops its sources, projections and store and exits 0. Give it time: docker stop -t 60.
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=30s --timeout=5s --start-period=300s --retries=3 \
  CMD ["node", "/opt/et-ledger/deploy/healthcheck.mjs"]
# No --max-semi-space-size: the service would keep the young generation a catch-up grew, and batches
# no longer gain from it (docs/deploy.md).
ENTRYPOINT ["node", "/opt/et-ledger/bin/et-ledger.js"]
CMD ["run"]
