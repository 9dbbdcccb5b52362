# nemo-bot: one image for every role (ROLE=all|bot|worker), compiled JavaScript, no dev dependencies.
#   docker build -t nemo-bot .                                # the runtime stage (last)
#   docker run --env-file .env -p 8081:8081 nemo-bot            # npm start, as ROLE says
#   docker run --env-file .env nemo-bot node dist/src/cli.js doctor
# test/ops/image.test.ts proves this file without Docker: it copies what the runtime stage copies,
# installs it the same way and runs the CMD to a delivered video.
ARG NODE_IMAGE=node:24-bookworm-slim

# --- build: dev dependencies + tsc -> dist/ ---------------------------------------------------------
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY adapters ./adapters
RUN npm run build

# --- demo: the console demo and the Nemo simulator, no accounts (docker compose --profile demo) --------
# Dev dependencies included (tsx runs the simulator and the demo from source). Never used for production roles.
FROM build AS demo
COPY nemo-sim ./nemo-sim
COPY test/fixtures ./test/fixtures
RUN mkdir -p out && chown node out
USER node
CMD ["node", "--import", "tsx", "adapters/console/demo.ts"]

# --- runtime (the default target): production dependencies + dist/ only ----------------------------------------------------
FROM ${NODE_IMAGE} AS runtime
# tini as PID 1: signals reach node (SIGTERM hands running jobs back), zombies are reaped.
# ffmpeg: a real frame of each video as its thumbnail (src/core/thumbnail-ffmpeg.ts; found on PATH).
RUN apt-get update \
 && apt-get install -y --no-install-recommends tini ffmpeg \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
ENV NODE_ENV=production \
    HEALTH_PORT=8081
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY bin ./bin
USER node
EXPOSE 8081
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.HEALTH_PORT||8081)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["node", "dist/src/cli.js", "start"]
