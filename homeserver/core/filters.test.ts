import { describe, expect, it } from "vitest";
import { applyEventFields, checkFilter, eventFilterAllows, roomEventFilterAllows, syncFilterOf, typeMatches, MAX_TIMELINE_LIMIT } from "./filters.js";

const event = (type: string, sender = "@a:x", content: Record<string, unknown> = {}) => ({ type, sender, content, room_id: "!r:x" });

describe("sync filters", () => {
  it("type patterns: '*' matches any sequence, everything else literally", () => {
    expect(typeMatches("m.room.*", "m.room.message")).toBe(true);
    expect(typeMatches("m.*.message", "m.room.message")).toBe(true);
    expect(typeMatches("m.room.message", "m.room.messages")).toBe(false);
    expect(typeMatches("m.room.", "m.roomX")).toBe(false);
    expect(typeMatches("*", "anything")).toBe(true);
  });

  it("an absent list allows everything, an empty list nothing, and not_ lists win", () => {
    expect(eventFilterAllows({}, event("x"))).toBe(true);
    expect(eventFilterAllows({ types: [] }, event("x"))).toBe(false);
    expect(eventFilterAllows({ types: ["*"], not_types: ["x"] }, event("x"))).toBe(false);
    expect(eventFilterAllows({ senders: ["@b:x"] }, event("x", "@a:x"))).toBe(false);
    expect(eventFilterAllows({ not_senders: ["@a:x"] }, event("x", "@a:x"))).toBe(false);
  });

  it("room event filters check rooms and contains_url", () => {
    expect(roomEventFilterAllows({ not_rooms: ["!r:x"] }, event("x"))).toBe(false);
    expect(roomEventFilterAllows({ rooms: ["!other:x"] }, event("x"))).toBe(false);
    expect(roomEventFilterAllows({ contains_url: true }, event("x", "@a:x", { url: "mxc://x/y" }))).toBe(true);
    expect(roomEventFilterAllows({ contains_url: true }, event("x"))).toBe(false);
    expect(roomEventFilterAllows({ contains_url: false }, event("x", "@a:x", { url: "mxc://x/y" }))).toBe(false);
  });

  it("applies defaults: timeline limit 10, capped, leave rooms excluded, no lazy-loading", () => {
    const defaults = syncFilterOf();
    expect(defaults.timelineLimit).toBe(10);
    expect(defaults.includeLeave).toBe(false);
    expect(defaults.lazyLoadMembers).toBe(false);
    expect(syncFilterOf({ room: { timeline: { limit: 10 ** 9 } } }).timelineLimit).toBe(MAX_TIMELINE_LIMIT);
  });

  it("event_fields keeps only the listed paths, with escaped dots", () => {
    const formatted = { type: "m.room.message", event_id: "$e", content: { body: "hi", "m.relates_to": { x: 1 }, "a.b": 2 } };
    expect(applyEventFields(formatted, ["type", "content.body", "content.a\\.b"])).toEqual({ type: "m.room.message", content: { body: "hi", "a.b": 2 } });
    expect(applyEventFields(formatted, undefined)).toBe(formatted);
  });

  it("rejects filters of the wrong shape with M_BAD_JSON", () => {
    expect(() => checkFilter({ room: { timeline: { types: "m.room.message" } } })).toThrow(expect.objectContaining({ errcode: "M_BAD_JSON" }));
    expect(checkFilter({ room: { timeline: { limit: 5 } }, unknown_key: true })).toBeDefined();
  });
});
