FROM node:20-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund
COPY . .
ENV MYELIN_DATA_DIR=/data
VOLUME /data
EXPOSE 8008
CMD ["node", "--import", "tsx", "homeserver/app/cli.ts", "start"]
