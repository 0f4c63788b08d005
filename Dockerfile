# syntax=docker/dockerfile:1
#
# Sellify: one image for the API and the worker (`sellify serve --role api|worker|both`).
#
# The image runs compiled JavaScript: a build stage compiles src/ to dist/ with the dev dependencies
# (TypeScript), and the runtime image holds dist/, the SQL migrations and the production dependencies
# only (no TypeScript, no tsx, no sources).
#
# Base image: node:20-bookworm-slim rather than alpine. PGlite is WASM and would run on musl too,
# but the suites and CI run on glibc, any native module added later is tested there, and the size
# difference is about 40 MB.
#
#   docker build -t sellify .
#   docker run -p 3000:3000 -v sellify-data:/data \
#     -e SELLIFY_ENCRYPTION_KEY=... -e SELLIFY_API_KEY=sk_... sellify

ARG NODE_IMAGE=node:20-bookworm-slim

# ---- 1. build: every dependency, then src/ compiled to dist/ (npm run build) ----
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: the "prepare" script would build before the sources are copied.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY bin ./bin
COPY src ./src
# The typed API client (client/src), compiled into dist/client: `sellify chat` imports it as #client.
COPY client ./client
RUN npm run build

# ---- 2. production dependencies only (no compilers or dev tools reach the runtime image) ----
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: "prepare" (the build) needs TypeScript, a dev dependency; no production
# dependency has an install script.
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force

# ---- 3. runtime ----
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    SELLIFY_DATA_DIR=/data \
    HOST=0.0.0.0 \
    PORT=3000
WORKDIR /app
# Code and dependencies stay owned by root: the app user can read them, not change them.
COPY --from=deps /app/node_modules ./node_modules
COPY package.json package-lock.json ./
COPY bin ./bin
COPY --from=build /app/dist ./dist
COPY migrations ./migrations
COPY examples ./examples
# The embedded database (when DATABASE_URL is unset) and nothing else live in /data. A named volume
# mounted there starts with this directory's owner, so the non-root user can write to it.
RUN mkdir -p /data && chown node:node /data
# "node" (uid 1000) comes with the official image.
USER node
VOLUME ["/data"]
EXPOSE 3000
# No curl in slim images: Node's own fetch asks /health (200 while the process serves requests).
# A worker-only container (--role worker) has no HTTP server: docker-compose.yml disables this there.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "bin/sellify.js", "serve"]
