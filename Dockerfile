FROM node:20-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund
COPY . .
# A safe default (registration off, PostgreSQL of docker-compose.yml); compose mounts its own copy over it.
COPY docker/homeserver.yaml /config/homeserver.yaml
ENV MYELIN_CONFIG=/config/homeserver.yaml
# Not root: the node image's "node" user (uid 1000) owns the data volume and nothing else.
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME /data
EXPOSE 8008
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 CMD ["node", "docker/healthcheck.mjs"]
# bin/myelin.mjs runs the server in this process (PID 1), so `docker stop`'s SIGTERM reaches it: it stops
# within seconds, well inside Docker's 10 s grace period.
CMD ["node", "bin/myelin.mjs", "start"]
