# One image for the five services, their migrations and the contract deployment; the command
# chooses what runs (the Kubernetes manifests name it):
#
#   docker build -t voltstack:0.1.0 .
#   docker run -p 8080:8080 voltstack:0.1.0 node services/grid/dist/main.js
#   docker run voltstack:0.1.0 node services/grid/dist/migrate.js
#   docker run -v "$PWD/secrets:/run/secrets:ro" voltstack:0.1.0 node cli/bin/voltstack.js deploy \
#     --network testnet --deployer-key-file /run/secrets/deployer --record /tmp/testnet.json
#
# Compiled JavaScript on Node 24 LTS with production dependencies only, run as the unprivileged
# node user (uid 1000). Nothing is written outside /tmp, so the root filesystem may be read-only
# with /tmp mounted writable (an emptyDir in Kubernetes); the deploy command's record goes where
# --record says.
# A service listens on $PORT, 8080 unless set.

ARG NODE_IMAGE=node:24.22.3-trixie-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY . .
RUN npm ci --no-audit --no-fund && npm run build
# What runs, and nothing else: the compiled workspaces with their manifests, the services'
# migrations, the contracts and their deployment plan for the deploy command. The manifests lose
# their development dependencies and the test harness workspace (it brings vitest as a peer), so
# the install below adds production dependencies only, at the versions the lock file pins.
RUN mkdir /runtime \
  && tar -cf - --exclude=libs/service-testing \
    package.json package-lock.json .npmrc Clarinet.toml settings/Devnet.toml \
    contracts/*.clar deployments/default.simnet-plan.yaml \
    libs/*/package.json libs/*/dist services/*/package.json services/*/dist services/*/prisma/migrations \
    cli/package.json cli/bin cli/dist \
    | tar -xf - -C /runtime \
  && cd /runtime \
  && npm pkg delete devDependencies optionalDependencies \
  && npm pkg delete devDependencies --workspaces \
  && npm install --omit=dev --no-audit --no-fund \
  && npm cache clean --force

FROM ${NODE_IMAGE} AS runtime
# Node 24 sizes the young generation by the machine's memory; an idle service then held 250 MB
# resident, and 177-219 MB with 8 MB semi-spaces. Idle, a service's V8 heap is about 80 MB, of
# which the young generation took 16 (two semi-spaces, 2-5 MB of them in use), and the Node
# binary's mapped code 57 MB. With 2 MB semi-spaces flow and revenue went from 210 and 205 MB to
# 192 and 183 (`npm run bench -- service-memory` measures the five: docs/benchmarks.md). A busy
# service scavenges more often with them; fewer glibc malloc arenas (MALLOC_ARENA_MAX=2) changed
# nothing measurable.
ENV NODE_ENV=production \
  NODE_OPTIONS=--max-semi-space-size=2 \
  PORT=8080
WORKDIR /app
# Owned by root and only readable by the node user: the process cannot change its own code.
COPY --from=build /runtime /app
USER 1000:1000
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch(`http://127.0.0.1:${process.env.PORT}/health/live`).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "services/verification/dist/main.js"]
