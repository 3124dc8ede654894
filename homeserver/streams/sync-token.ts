/**
 * A sync token holds one position per stream. The text form is "s<events>_<account_data>_<receipts>_
 * <typing>_<presence>_<to_device>_<device_lists>"; streams added later append, and a shorter token from an
 * older server reads the missing positions as 0.
 */
export const STREAMS = ["events", "accountData", "receipts", "typing", "presence", "toDevice", "deviceLists"] as const;
export type StreamName = (typeof STREAMS)[number];
export type StreamPositions = Record<StreamName, number>;

/**
 * Written out rather than built from STREAMS: every sync reads and writes these a few times per client, and an
 * object literal gets a fixed shape where Object.fromEntries makes a slow dictionary.
 */
export const zeroPositions = (): StreamPositions => ({ events: 0, accountData: 0, receipts: 0, typing: 0, presence: 0, toDevice: 0, deviceLists: 0 });

/** In STREAMS order (a test holds the two together). */
export function formatSyncToken(p: StreamPositions): string {
  return `s${p.events}_${p.accountData}_${p.receipts}_${p.typing}_${p.presence}_${p.toDevice}_${p.deviceLists}`;
}

const TOKEN_PATTERN = /^s\d+(_\d+)*$/;

/** Returns undefined for anything that is not a token we issued. */
export function parseSyncToken(token: string): StreamPositions | undefined {
  if (!TOKEN_PATTERN.test(token)) return undefined;
  const parts = token.slice(1).split("_");
  const positions = zeroPositions();
  for (let i = 0; i < parts.length; i++) {
    const n = Number(parts[i]);
    if (!Number.isSafeInteger(n)) return undefined;
    if (i < STREAMS.length) positions[STREAMS[i]] = n;
  }
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
  if (/^t-?\d+$/.test(token)) {
    // Beyond 2^53 the number is not the one written, and beyond 2^63 the database refuses it mid-query.
    const position = Number(token.slice(1));
    return Number.isSafeInteger(position) ? position : undefined;
  }
  // Clients may paginate from a sync token's next_batch, which is allowed by the spec.
  return parseSyncToken(token)?.events;
}
