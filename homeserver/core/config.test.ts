import { describe, expect, it } from "vitest";
import YAML from "yaml";
import { buildConfig, ConfigError } from "./config.js";
import { SAMPLE_CONFIG } from "../app/sample-config.js";

describe("configuration", () => {
  it("accepts the documented sample file as it is", () => {
    const config = buildConfig(YAML.parse(SAMPLE_CONFIG));
    expect(config.server_name).toBe("localhost");
    expect(config.listeners[0]).toEqual({ port: 8008, bind_address: "127.0.0.1", resources: ["client", "federation"] });
  });

  it("fills defaults for every key when given nothing", () => {
    const config = buildConfig({});
    expect(config.database).toMatchObject({ type: "embedded", path: "data/db", pool_size: 10 });
    expect(config.rate_limits.enabled).toBe(true);
    expect(config.registration.enabled).toBe(false);
  });

  it("names the key and what it expects when a value is wrong", () => {
    expect(() => buildConfig({ listeners: [{ port: "x" }] })).toThrow(/listeners\.0\.port: must be integer/);
    expect(() => buildConfig({ database: { type: "mysql" } })).toThrow(/database\.type: must be one of embedded, postgres/);
    expect(() => buildConfig({ surprise: 1 })).toThrow(/surprise: unknown key/);
    expect(() => buildConfig({ database: { type: "postgres" } })).toThrow(ConfigError);
  });

  it("default_room_version defaults to 12 and takes any supported version, as a string or (from the environment) a number", () => {
    expect(buildConfig({}).default_room_version).toBe("12");
    expect(buildConfig(YAML.parse(SAMPLE_CONFIG)).default_room_version).toBe("12");
    expect(buildConfig({ default_room_version: "10" }).default_room_version).toBe("10");
    expect(buildConfig({}, { MYELIN_DEFAULT_ROOM_VERSION: "11" }).default_room_version).toBe("11");
  });

  it("refuses a default_room_version this server does not support, naming the key and the supported versions", () => {
    expect(() => buildConfig({ default_room_version: "99" })).toThrow(/default_room_version: "99" is not a room version this server supports \(1, 2, .*12\)/);
    expect(() => buildConfig({ default_room_version: "org.example.custom" })).toThrow(ConfigError);
    expect(() => buildConfig({ default_room_version: ["12"] })).toThrow(/default_room_version: must be string,integer/);
  });

  it("lets environment variables override the file", () => {
    const config = buildConfig(
      { server_name: "file.example" },
      { MYELIN_SERVER_NAME: "env.example", MYELIN_DATABASE__TYPE: "postgres", MYELIN_DATABASE__URL: "postgres://x@y/z", MYELIN_PORT: "9000", MYELIN_RATE_LIMITS__ENABLED: "false" },
    );
    expect(config.server_name).toBe("env.example");
    expect(config.database).toMatchObject({ type: "postgres", url: "postgres://x@y/z" });
    expect(config.listeners[0].port).toBe(9000);
    expect(config.rate_limits.enabled).toBe(false);
  });
});
