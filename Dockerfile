# nemo-bot: one image for every role (ROLE=all|bot|worker).
FROM node:24-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund && npm cache clean --force
COPY tsconfig.json ./
COPY src ./src
COPY adapters ./adapters
USER node
CMD ["npm", "start"]
