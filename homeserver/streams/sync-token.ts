/**
 * A sync token holds one position per stream. The text form is "s<events>_<account_data>_<receipts>_
 * <typing>_<presence>_<to_device>_<device_lists>"; streams added later append, and a shorter token from an
 * older server reads the missing positions as 0.
 */
export const STREAMS = ["events", "accountData", "receipts", "typing", "presence", "toDevice", "deviceLists"] as const;
export type StreamName = (typeof STREAMS)[number];
export type StreamPositions = Record<StreamName, number>;

export const zeroPositions = (): StreamPositions =>
  Object.fromEntries(STREAMS.map((s) => [s, 0])) as StreamPositions;

export function formatSyncToken(positions: StreamPositions): string {
  return `s${STREAMS.map((s) => positions[s]).join("_")}`;
}

const TOKEN_PATTERN = /^s\d+(_\d+)*$/;

/** Returns undefined for anything that is not a token we issued. */
export function parseSyncToken(token: string): StreamPositions | undefined {
  if (!TOKEN_PATTERN.test(token)) return undefined;
  const parts = token.slice(1).split("_").map(Number);
  if (parts.some((n) => !Number.isSafeInteger(n))) return undefined;
  const positions = zeroPositions();
  STREAMS.forEach((stream, i) => (positions[stream] = parts[i] ?? 0));
  return positions;
}

/**
 * Room pagination tokens (/messages from, to, prev_batch) are positions on the room-event stream. History
 * fetched from other servers (backfill) sits at negative positions, before everything live.
 */
export function formatRoomToken(streamPos: number): string {
  return `t${streamPos}`;
}

export function parseRoomToken(token: string): number | undefined {
  if (/^t-?\d+$/.test(token)) return Number(token.slice(1));
  // Clients may paginate from a sync token's next_batch, which is allowed by the spec.
  return parseSyncToken(token)?.events;
}
