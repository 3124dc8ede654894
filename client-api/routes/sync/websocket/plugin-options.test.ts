import Fastify from "fastify";
import fastifyWebsocket from "@fastify/websocket";
import { describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { buildConfig } from "../../../../homeserver/core/config.js";
import { boundedDeflateOffers, syncWebSocketPluginOptions } from "./plugin-options.js";

describe("sync WebSocket server options", () => {
  it("keeps only permessage-deflate offers that let the server bound the client's window", () => {
    expect(boundedDeflateOffers("permessage-deflate; client_max_window_bits")).toBe("permessage-deflate; client_max_window_bits");
    expect(boundedDeflateOffers("permessage-deflate")).toBeUndefined();
    expect(boundedDeflateOffers("permessage-deflate, permessage-deflate; client_max_window_bits=12")).toBe(" permessage-deflate; client_max_window_bits=12");
    expect(boundedDeflateOffers("x-other-extension")).toBe("x-other-extension");
  });

  it("closes open sockets with 1001 going away when the server shuts down", async () => {
    const app = Fastify();
    await app.register(fastifyWebsocket, syncWebSocketPluginOptions(buildConfig({}).sync.websocket, 1_048_576));
    app.get("/socket", { websocket: true }, () => {});
    await app.listen({ port: 0, host: "127.0.0.1" });
    const { port } = app.server.address() as { port: number };
    const client = new WebSocket(`ws://127.0.0.1:${port}/socket`);
    await new Promise((resolve) => client.once("open", resolve));
    const closed = new Promise<number>((resolve) => client.once("close", (code) => resolve(code)));
    await app.close();
    expect(await closed).toBe(1001);
  });
});
