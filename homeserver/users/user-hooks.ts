import type { Profile } from "./profile.js";

/** What the users domain tells the rest of the core about (rooms, wired by app/). */
export interface UserHooks {
  /** Called after a profile change so the rooms domain can send new m.room.member events. */
  onProfileChanged(userId: string, profile: Profile): Promise<void>;
  /** Called when an account is deactivated so the rooms domain can leave its rooms. */
  onDeactivated(userId: string): Promise<void>;
}
