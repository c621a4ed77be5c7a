# One image for the five services; the service is chosen at run time by the command
# (the Kubernetes manifests name it) or, without one, by SERVICE (build arg, default verification).
#
#   docker build -t voltstack:0.1.0 .
#   docker run voltstack:0.1.0                                           # verification
#   docker run -e SERVICE=grid voltstack:0.1.0                           # grid
#   docker run voltstack:0.1.0 node --conditions=voltstack-source --import tsx services/grid/src/migrate.ts
#
# The services run from their TypeScript sources through tsx (as `npm run start -w services/<name>`
# does), so the image keeps the development dependencies that provide tsx.

FROM node:20-slim AS build
WORKDIR /app
COPY . .
RUN npm ci --no-audit --no-fund \
  && npx tsx scripts/prisma-generate.ts services/*/prisma/schema.prisma

FROM node:20-slim AS runtime
ARG SERVICE=verification
ENV NODE_ENV=production \
  SERVICE=${SERVICE}
WORKDIR /app
# Owned by root and only readable by the node user: the process cannot change its own code.
COPY --from=build /app /app
USER node
EXPOSE 3101 3102 3103 3104 3105
CMD ["sh", "-c", "exec node --conditions=voltstack-source --import tsx services/${SERVICE}/src/main.ts"]
