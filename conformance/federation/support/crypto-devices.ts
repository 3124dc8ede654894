import { ClientEvent, EventType, MatrixEventEvent, RoomEvent, type MatrixClient, type MatrixEvent } from "matrix-js-sdk";
import { startCryptoClientAt } from "../../support/crypto-client.js";
import type { Credentials } from "../../support/matrix-client.js";
import { registerUserWith, type TestUser } from "../../support/register-user.js";
import { validatingFetchFor } from "../../support/validating-fetch.js";
import { clientOn, type PeerDescription } from "./peers.js";

/**
 * Over federation a room key, a device list update or a key query crosses two servers, each with its own
 * retry timers, on a machine shared with other work: the single-server suite's 30 s is too short a patience.
 */
export const FEDERATION_PATIENCE_MS = 120_000;

/** A user registered on `peer` (password kept, for a second login and for UIA). */
export interface CryptoUser extends TestUser {
  peer: PeerDescription;
}

export async function registerCryptoUser(peer: PeerDescription, label: string): Promise<CryptoUser> {
  const user = await registerUserWith((credentials) => clientOn(peer, credentials), `${label}-${peer.id}`);
  return { ...user, peer };
}

/** Another device of the user: a password login on the user's own server, as a new phone would. */
export async function loginAgainOn(user: CryptoUser): Promise<Credentials> {
  const login = await clientOn(user.peer).loginRequest({
    type: "m.login.password",
    identifier: { type: "m.id.user", user: user.userId },
    password: user.password,
  });
  return { userId: login.user_id, accessToken: login.access_token, deviceId: login.device_id };
}

/** One PUT /sendToDevice a client made: the event type and the `user_id/device_id` of every recipient. */
export interface SentToDevice {
  eventType: string;
  recipients: string[];
}

/**
 * A device of `peer` running matrix-js-sdk with its Rust crypto. `sentToDevice`, when given, collects the
 * client's PUT /sendToDevice requests, which is where a room key goes (Olm-encrypted, as m.room.encrypted).
 */
export async function startDeviceOn(peer: PeerDescription, credentials: Credentials, sentToDevice?: SentToDevice[]): Promise<MatrixClient> {
  const validating = validatingFetchFor(peer.kind);
  const fetchFn: typeof fetch = sentToDevice
    ? async (input, init) => {
        const record = toDeviceRequest(input, init);
        if (record) sentToDevice.push(record);
        return await validating(input, init);
      }
    : validating;
  return await startCryptoClientAt(credentials, { baseUrl: peer.clientUrl, fetchFn });
}

function toDeviceRequest(input: Parameters<typeof fetch>[0], init: Parameters<typeof fetch>[1]): SentToDevice | null {
  const url = new URL(input instanceof Request ? input.url : String(input));
  const match = /\/_matrix\/client\/v3\/sendToDevice\/([^/]+)\/[^/]+$/.exec(url.pathname);
  if (!match || (init?.method ?? "GET").toUpperCase() !== "PUT" || typeof init?.body !== "string") return null;
  const { messages } = JSON.parse(init.body) as { messages: Record<string, Record<string, unknown>> };
  const recipients = Object.entries(messages).flatMap(([userId, devices]) => Object.keys(devices).map((deviceId) => `${userId}/${deviceId}`));
  return { eventType: decodeURIComponent(match[1]!), recipients };
}

/**
 * Resolves once `check` gives a value, checking whenever the client's sync or a timeline moves or an event is
 * decrypted (a room key arriving after its message), and every second besides (key queries run in the background).
 */
export async function waitOn<T>(client: MatrixClient, check: () => T | undefined | Promise<T | undefined>, what: string, timeoutMs = FEDERATION_PATIENCE_MS): Promise<T> {
  const first = await check();
  if (first !== undefined) return first;
  return await new Promise<T>((resolve, reject) => {
    let done = false;
    let checking = false;
    const onChange = async () => {
      if (done || checking) return;
      checking = true;
      try {
        const value = await check();
        if (value !== undefined && !done) {
          cleanup();
          resolve(value);
        }
      } catch (error) {
        cleanup();
        reject(error);
      } finally {
        checking = false;
      }
    };
    const interval = setInterval(onChange, 1_000);
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`${what}: not met within ${timeoutMs} ms`));
    }, timeoutMs);
    const cleanup = () => {
      done = true;
      clearInterval(interval);
      clearTimeout(timer);
      client.off(ClientEvent.Sync, onChange);
      client.off(RoomEvent.Timeline, onChange);
      client.off(MatrixEventEvent.Decrypted, onChange);
    };
    client.on(ClientEvent.Sync, onChange);
    client.on(RoomEvent.Timeline, onChange);
    client.on(MatrixEventEvent.Decrypted, onChange);
  });
}

/** The encrypted events of the room in this device's live timeline, oldest first. */
export function encryptedEvents(client: MatrixClient, roomId: string): MatrixEvent[] {
  return (client.getRoom(roomId)?.getLiveTimeline().getEvents() ?? []).filter((e) => e.getWireType() === EventType.RoomMessageEncrypted);
}

/** The encrypted event `eventId` as this device decrypted it: its clear content, once the room key is there. */
export async function decryptedOn(client: MatrixClient, roomId: string, eventId: string, label: string): Promise<Record<string, unknown>> {
  return await waitOn(
    client,
    () => {
      const event = encryptedEvents(client, roomId).find((e) => e.getId() === eventId);
      if (!event || event.isBeingDecrypted() || event.isDecryptionFailure()) return undefined;
      return (event.getClearContent() as Record<string, unknown> | null) ?? undefined;
    },
    `${label} decrypts ${eventId}`,
  );
}

/** The megolm session an encrypted event was sent in (a new session means a new room key was shared). */
export function megolmSessionOf(client: MatrixClient, roomId: string, eventId: string): string | undefined {
  const event = encryptedEvents(client, roomId).find((e) => e.getId() === eventId);
  return event?.getWireContent().session_id as string | undefined;
}
