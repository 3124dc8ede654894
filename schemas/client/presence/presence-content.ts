/** The presence states of the spec's Presence module. */
export const PRESENCE_VALUES = ["online", "unavailable", "offline"] as const;
export type PresenceValue = (typeof PRESENCE_VALUES)[number];

/** The content of m.presence, also the body of GET /presence/{userId}/status. */
export type PresenceContent = {
  presence: PresenceValue;
  last_active_ago?: number;
  currently_active?: boolean;
  status_msg?: string;
};

/** m.presence in the top-level presence section of /sync. */
export interface PresenceEventJson {
  type: "m.presence";
  sender: string;
  content: PresenceContent;
}
