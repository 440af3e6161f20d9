# diemcau NOC image: Node 20 on Debian 12, with fping for ICMP rounds.
FROM node:20-bookworm-slim AS build
WORKDIR /app
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends fping iputils-ping && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=build /app /app
ENV NODE_ENV=production DIEMCAU_CONFIG=/etc/diemcau/diemcau.yaml
EXPOSE 8080 1162/udp
USER node
# the compiled server; its first line starts node with the heap flags of bin/diemcau.js
CMD ["dist/diemcau.js", "serve"]
