import { PROFILE_FIELDS, type ProfileField } from "../../../homeserver/users/profiles.js";

/** The profile fields this server stores; every other key "does not exist" for every user. */
export function isStoredField(keyName: string): keyName is ProfileField {
  return PROFILE_FIELDS.some((field) => field === keyName);
}
