import { describe, expect, it } from "vitest";
import { newPresence, presenceContent, worthPublishing, type PublishedPresence } from "./presence-state.js";

const GRANULARITY = 60_000;
const online = (lastActiveTs: number, currentlyActive: boolean): PublishedPresence => ({ presence: "online", statusMsg: undefined, currentlyActive, lastActiveTs });

describe("which presence changes are news", () => {
  it("a first state is news unless it is offline without a status", () => {
    expect(worthPublishing(undefined, online(0, true), GRANULARITY)).toBe(true);
    expect(worthPublishing(undefined, { presence: "offline", statusMsg: undefined, currentlyActive: false, lastActiveTs: undefined }, GRANULARITY)).toBe(false);
    expect(worthPublishing(undefined, { presence: "offline", statusMsg: "away", currentlyActive: false, lastActiveTs: undefined }, GRANULARITY)).toBe(true);
  });

  it("a new state, a new status message and a currently_active flip are news", () => {
    expect(worthPublishing(online(0, true), { ...online(0, true), presence: "unavailable", currentlyActive: false }, GRANULARITY)).toBe(true);
    expect(worthPublishing(online(0, true), { ...online(0, true), statusMsg: "hi" }, GRANULARITY)).toBe(true);
    expect(worthPublishing(online(0, true), online(0, false), GRANULARITY)).toBe(true);
  });

  it("an action while currently active is not news; one after a quiet spell is", () => {
    expect(worthPublishing(online(0, true), online(30_000, true), GRANULARITY)).toBe(false);
    expect(worthPublishing(online(0, false), online(GRANULARITY + 1, false), GRANULARITY)).toBe(true);
    const idle: PublishedPresence = { presence: "unavailable", statusMsg: undefined, currentlyActive: false, lastActiveTs: 0 };
    expect(worthPublishing(idle, { ...idle, lastActiveTs: 1_000 }, GRANULARITY)).toBe(false);
    expect(worthPublishing(idle, { ...idle, lastActiveTs: GRANULARITY + 1 }, GRANULARITY)).toBe(true);
  });
});

describe("presence content", () => {
  it("has currently_active only when online, last_active_ago only after an action, status_msg only when set", () => {
    const state = newPresence("@a:x", true);
    expect(presenceContent(state, 10, GRANULARITY)).toEqual({ presence: "offline" });
    state.presence = "online";
    state.lastActiveTs = 0;
    expect(presenceContent(state, 10, GRANULARITY)).toEqual({ presence: "online", last_active_ago: 10, currently_active: true });
    state.presence = "unavailable";
    state.statusMsg = "brb";
    expect(presenceContent(state, GRANULARITY * 2, GRANULARITY)).toEqual({ presence: "unavailable", last_active_ago: GRANULARITY * 2, status_msg: "brb" });
  });

  it("takes currently_active of a remote user from their server", () => {
    const state = { ...newPresence("@b:y", false), presence: "online" as const, lastActiveTs: 0, remoteCurrentlyActive: true };
    expect(presenceContent(state, GRANULARITY * 10, GRANULARITY).currently_active).toBe(true);
  });
});
