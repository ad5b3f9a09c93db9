# The exercise server image (enshu serve), built with no registry: FROM the project's own
# base image (Debian bookworm from debootstrap), plus the host's Node 20 binary, because
# bookworm ships Node 18. scripts/server-image.sh builds the one-file Node image and passes
# both tags; docker-compose.yml builds this file with them.
ARG BASE
ARG NODE_IMAGE
FROM ${NODE_IMAGE} AS node

FROM ${BASE}
COPY --from=node /node /usr/local/bin/node
WORKDIR /app
# node_modules comes from the build context: better-sqlite3's native module was built for
# the same Debian and Node ABI as the host, and nothing can be downloaded here anyway.
COPY package.json package-lock.json tsconfig.json ./
COPY node_modules ./node_modules
COPY bin ./bin
COPY core ./core
COPY protocol ./protocol
COPY orchestrator ./orchestrator
COPY attacker ./attacker
COPY scoreboard ./scoreboard
COPY server ./server
COPY cli ./cli
COPY web/dist ./web/dist
COPY topologies ./topologies
ENV NODE_ENV=production NODE_NO_WARNINGS=1 ENSHU_DATA_DIR=/data
VOLUME /data
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=10s --start-period=60s --retries=5 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:8080/api/health').then(r => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# No enshu-init here: that entrypoint is for range machines (routes, accounts). tini reaps
# children and forwards SIGTERM so the server closes its store cleanly.
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["node", "bin/enshu.mjs", "serve", "--host", "0.0.0.0", "--port", "8080", "--data-dir", "/data"]
