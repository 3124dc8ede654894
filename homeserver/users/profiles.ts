import type { CoreContext } from "../core/core-context.js";
import { errors } from "../errors.js";
import type { Profile } from "./profile.js";
import type { UserHooks } from "./user-hooks.js";
import type { Requester } from "./requester.js";
import type { UserStore } from "../storage/stores/user-store.js";
import { hasNul, requireStorable } from "./text.js";

export type { Profile } from "./profile.js";

export type ProfileField = "displayname" | "avatar_url";
export const PROFILE_FIELDS: readonly ProfileField[] = ["displayname", "avatar_url"];

/** Limits as in Synapse, so a profile accepted here is accepted by its peers. */
const MAX_LENGTH: Record<ProfileField, number> = { displayname: 256, avatar_url: 1000 };

export class ProfileService {
  constructor(
    private readonly core: CoreContext,
    private readonly users: UserStore,
    private readonly hooks: UserHooks,
  ) {}

  /** The profile of a local user; undefined for unknown (or remote) users. */
  async getProfile(userId: string): Promise<Profile | undefined> {
    const user = hasNul(userId) ? undefined : await this.users.get(userId);
    return user ? { displayname: user.displayname, avatar_url: user.avatarUrl } : undefined;
  }

  /** Like getProfile but throws M_NOT_FOUND, for the routes. */
  async requireProfile(userId: string): Promise<Profile> {
    const profile = await this.getProfile(userId);
    if (!profile) throw errors.notFound("Profile not found");
    return profile;
  }

  /**
   * Sets (or with null, clears) one field of the requester's own profile, then lets the rooms domain send
   * the new membership events. An empty string clears the field, as in Synapse.
   */
  async setField(requester: Requester, userId: string, field: ProfileField, value: string | null): Promise<void> {
    if (requester.userId !== userId) throw errors.forbidden("You can only change your own profile");
    if (value !== null) requireStorable(value, field);
    if (value !== null && value.length > MAX_LENGTH[field]) {
      throw errors.badJson(`${field} is too long (max ${MAX_LENGTH[field]})`);
    }
    const profile = await this.users.updateProfile(userId, { [field]: value === "" ? null : value });
    if (!profile) throw errors.notFound("Profile not found");
    try {
      await this.hooks.onProfileChanged(userId, profile);
    } catch (error) {
      // The profile itself is saved; failing the request would make the client retry a change that worked.
      this.core.logger.error({ err: error, userId }, "propagating a profile change to rooms failed");
    }
  }
}
