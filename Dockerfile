# One image for every service of docker-compose.yml: Node 20, the repository, its npm
# dependencies (anvil, forge and cast ship as npm packages) and the compiled contracts.
FROM node:20-bookworm-slim

WORKDIR /app
ENV NODE_ENV=development \
    LOG_FORMAT=json \
    npm_config_update_notifier=false

COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund

COPY . .
RUN npm run build:contracts

# Every service overrides this; running the image alone starts the whole devnet in one container.
CMD ["node_modules/.bin/tsx", "scripts/devnet.ts", "--port", "l1=8545,l2a=9545,l2b=9546"]
