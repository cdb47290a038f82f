# Keystep identity provider. Node 24 LTS; TypeScript runs through tsx (no build step).
FROM node:24-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund
COPY bin ./bin
COPY config ./config
COPY interactions ./interactions
COPY src ./src
COPY views ./views
RUN mkdir -p /app/data && chown node:node /app/data
# The embedded store lives here; mount a volume, or set DATABASE_URL for PostgreSQL.
VOLUME ["/app/data"]
EXPOSE 3000
USER node
CMD ["node", "--import", "tsx", "src/main.ts"]
