# syntax=docker/dockerfile:1
#
# Sellify: one image for the API and the worker (`sellify serve --role api|worker|both`).
#
# The app runs its TypeScript sources through bin/sellify.js, which registers tsx's loader, so
# there is no build step: the image holds the sources and the production dependencies, and tsx is
# one of those (package.json lists it under "dependencies" for this reason).
#
# Base image: node:20-bookworm-slim rather than alpine. PGlite is WASM and would run on musl too,
# but the suites and CI run on glibc, the one native binary at run time (esbuild, used by tsx) and
# any native module added later are tested there, and the size difference is about 40 MB.
#
#   docker build -t sellify .
#   docker run -p 3000:3000 -v sellify-data:/data \
#     -e SELLIFY_ENCRYPTION_KEY=... -e SELLIFY_API_KEY=sk_... sellify

ARG NODE_IMAGE=node:20-bookworm-slim

# ---- 1. production dependencies only (no compilers or dev tools reach the runtime image) ----
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

# ---- 2. runtime ----
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    SELLIFY_DATA_DIR=/data \
    HOST=0.0.0.0 \
    PORT=3000
WORKDIR /app
# Code and dependencies stay owned by root: the app user can read them, not change them.
COPY --from=deps /app/node_modules ./node_modules
COPY package.json package-lock.json tsconfig.json ./
COPY bin ./bin
COPY src ./src
COPY migrations ./migrations
COPY examples ./examples
# The embedded database (when DATABASE_URL is unset) and nothing else live in /data. A named volume
# mounted there starts with this directory's owner, so the non-root user can write to it.
RUN mkdir -p /data && chown node:node /data
# "node" (uid 1000) comes with the official image. tsx caches compiled files under /tmp.
USER node
VOLUME ["/data"]
EXPOSE 3000
# No curl in slim images: Node's own fetch asks /health (200 while the process serves requests).
# A worker-only container (--role worker) has no HTTP server: docker-compose.yml disables this there.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "bin/sellify.js", "serve"]
