import { ClientEvent, PendingEventOrdering, RoomEvent, SyncState, type ICreateClientOpts, type MatrixClient, type MatrixEvent, type Room } from "matrix-js-sdk";
import { createMatrixClient, type Credentials } from "./matrix-client.js";

/** How long a full client may take to reach SYNCING, or an awaited event to arrive. */
const WAIT_MS = 30_000;

/**
 * matrix-js-sdk's full client, started as Element starts it (lazy-loaded members, detached pending events,
 * threads on, 20 events per room in the initial sync). It resolves once the client has gone through PREPARED
 * to SYNCING, and fails with the SDK's own error if the sync loop reports ERROR first: a server that is missing
 * an endpoint the SDK needs at start (push rules, filters, capabilities) fails here, as Element would.
 */
export async function startFullClient(
  credentials: Credentials,
  options: { guest?: boolean; beforeStart?: (client: MatrixClient) => Promise<void>; clientOptions?: Partial<ICreateClientOpts> } = {},
): Promise<MatrixClient> {
  const client = createMatrixClient(credentials, options.clientOptions);
  // A guest's client (Element's guest mode) skips what guests may not call, such as push rules.
  if (options.guest) client.setGuest(true);
  // Crypto (initRustCrypto) is set up before the client starts, as Element does.
  await options.beforeStart?.(client);
  const states: string[] = [];
  const ready = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`full client not SYNCING after ${WAIT_MS} ms; states: ${states.join(" -> ")}`)), WAIT_MS);
    const onSync = (state: SyncState, _previous: SyncState | null, data?: { error?: Error }) => {
      states.push(state);
      if (state === SyncState.Error) {
        clearTimeout(timer);
        client.off(ClientEvent.Sync, onSync);
        reject(new Error(`full client sync failed (${states.join(" -> ")}): ${data?.error?.message ?? "no error given"}`));
      } else if (state === SyncState.Syncing && states.includes(SyncState.Prepared)) {
        clearTimeout(timer);
        client.off(ClientEvent.Sync, onSync);
        resolve();
      }
    };
    client.on(ClientEvent.Sync, onSync);
  });
  await client.startClient({
    initialSyncLimit: 20,
    lazyLoadMembers: true,
    pendingEventOrdering: PendingEventOrdering.Detached,
    threadSupport: true,
  });
  try {
    await ready;
  } catch (error) {
    client.stopClient();
    throw error;
  }
  return client;
}

export function stopFullClient(client: MatrixClient): void {
  client.stopClient();
}

/** Resolves with the room once the client knows it (after an invite or a join reached its sync). */
export async function waitForRoom(client: MatrixClient, roomId: string, accept: (room: Room) => boolean = () => true): Promise<Room> {
  return await waitFor(client, () => {
    const room = client.getRoom(roomId);
    return room && accept(room) ? room : undefined;
  });
}

/** Resolves with the first event in the room's live timeline, as the client's sync delivered it, that `match` accepts. */
export async function waitForTimelineEvent(client: MatrixClient, roomId: string, match: (event: MatrixEvent) => boolean): Promise<MatrixEvent> {
  return await waitFor(client, () => client.getRoom(roomId)?.getLiveTimeline().getEvents().find(match));
}

/**
 * Polls `check` whenever the client's sync or a timeline moves, until it gives a value. Each sync the
 * client processes emits ClientEvent.Sync, so nothing the server sends is missed between two checks.
 */
export async function waitFor<T>(client: MatrixClient, check: () => T | undefined, what = "condition"): Promise<T> {
  const first = check();
  if (first !== undefined) return first;
  return await new Promise<T>((resolve, reject) => {
    const onChange = () => {
      const value = check();
      if (value === undefined) return;
      cleanup();
      resolve(value);
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`${what} not met within ${WAIT_MS} ms`));
    }, WAIT_MS);
    const cleanup = () => {
      clearTimeout(timer);
      client.off(ClientEvent.Sync, onChange);
      client.off(RoomEvent.Timeline, onChange);
    };
    client.on(ClientEvent.Sync, onChange);
    client.on(RoomEvent.Timeline, onChange);
  });
}
