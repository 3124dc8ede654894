import type { CoreContext } from "../../core/core-context.js";
import type { Tx } from "../../storage/database.js";
import type { FederationOutboxStore } from "../../storage/stores/federation-outbox-store.js";
import { ownOrSet, setOwn } from "../../users/e2e-keys/own-entries.js";
import { newMessageId, type ToDeviceFederation, type ToDeviceMessages, type ToDeviceService } from "../../users/to-device/to-device-service.js";
import { parseUserId } from "../../users/user-ids.js";
import type { AddressedEdu, DurableEduQueue } from "./durable-edus.js";

export const DIRECT_TO_DEVICE = "m.direct_to_device";
/**
 * An EDU's content is kept under this many bytes (Synapse splits to-device EDUs at 64 KiB the same way): a request
 * to many devices of one server becomes several EDUs, each with its own message_id. One message bigger than this
 * still goes, alone.
 */
export const MAX_DIRECT_TO_DEVICE_BYTES = 60_000;
const MAX_ID_LENGTH = 255;

type JsonObject = Record<string, unknown>;
const isObject = (value: unknown): value is JsonObject => typeof value === "object" && value !== null && !Array.isArray(value);
const isStorableId = (value: unknown): value is string =>
  typeof value === "string" && value !== "" && value.length <= MAX_ID_LENGTH && !value.includes("\u0000") && value.isWellFormed();

/**
 * m.direct_to_device, both ways. Out: a sendToDevice request's messages for another server's users, one EDU per
 * server {sender, type, message_id, messages: {userId: {deviceId | "*": content}}}, queued durably. In: messages of
 * the origin's own users to our users' devices, delivered through the to-device queues (sync picks them up as it
 * does local sends), once per (origin, message_id).
 */
export class DirectToDeviceEdu implements ToDeviceFederation {
  constructor(
    private readonly core: Pick<CoreContext, "serverName" | "clock">,
    private readonly outbox: DurableEduQueue,
    private readonly store: Pick<FederationOutboxStore, "firstDelivery">,
    private readonly toDevice: Pick<ToDeviceService, "deliverRemote">,
  ) {}

  async queueRemote(tx: Tx, sender: string, eventType: string, byServer: ReadonlyMap<string, ToDeviceMessages>): Promise<void> {
    const edus: AddressedEdu[] = [];
    for (const [destination, messages] of byServer) {
      for (const part of splitBySize(messages, MAX_DIRECT_TO_DEVICE_BYTES)) {
        edus.push({ destination, edu: { edu_type: DIRECT_TO_DEVICE, content: { sender, type: eventType, message_id: newMessageId(), messages: part } } });
      }
    }
    await this.outbox.enqueue(tx, edus);
  }

  firstDelivery(tx: Tx, origin: string, messageId: string): Promise<boolean> {
    return this.store.firstDelivery(tx, origin, messageId, this.core.clock.now());
  }

  /**
   * The EduHandler. A sender who is not the origin's user, or a malformed envelope, refuses the whole EDU (other
   * EDUs and PDUs of the transaction go on). Entries for users who are not ours, or that are malformed, are
   * refused one by one; the others are delivered. Throws (the dispatcher logs it) when anything was refused.
   */
  receive = async (origin: string, content: JsonObject): Promise<void> => {
    const { sender, type, message_id: messageId, messages } = content;
    if (!isStorableId(sender) || parseUserId(sender)?.serverName !== origin) throw new Error(`${DIRECT_TO_DEVICE} from ${origin}: sender is not a user of ${origin}`);
    if (!isStorableId(type)) throw new Error(`${DIRECT_TO_DEVICE} from ${origin}: no valid type`);
    if (!isStorableId(messageId)) throw new Error(`${DIRECT_TO_DEVICE} from ${origin}: no valid message_id`);
    if (!isObject(messages)) throw new Error(`${DIRECT_TO_DEVICE} from ${origin}: messages is not an object`);
    const accepted: ToDeviceMessages = {};
    const refused: string[] = [];
    for (const [userId, byDevice] of Object.entries(messages)) {
      if (!isStorableId(userId) || parseUserId(userId)?.serverName !== this.core.serverName) {
        refused.push(`${userId.slice(0, MAX_ID_LENGTH)} is not a user of this server`);
        continue;
      }
      if (!isObject(byDevice)) {
        refused.push(`messages for ${userId} are not an object`);
        continue;
      }
      for (const [deviceId, body] of Object.entries(byDevice)) {
        if (!isStorableId(deviceId) || !isObject(body)) refused.push(`malformed message for ${userId}'s device ${deviceId.slice(0, MAX_ID_LENGTH)}`);
        else setOwn(ownOrSet(accepted, userId, () => ({})), deviceId, body);
      }
    }
    if (Object.keys(accepted).length > 0) await this.toDevice.deliverRemote(origin, messageId, sender, type, accepted);
    if (refused.length > 0) throw new Error(`${DIRECT_TO_DEVICE} from ${origin}: ${refused.join("; ")}`);
  };
}

/** Splits one server's messages into parts whose JSON stays under `maxBytes` (by whole device messages). */
export function splitBySize(messages: ToDeviceMessages, maxBytes: number): ToDeviceMessages[] {
  const parts: ToDeviceMessages[] = [];
  let current: ToDeviceMessages = {};
  let size = 0;
  for (const [userId, byDevice] of Object.entries(messages)) {
    for (const [deviceId, body] of Object.entries(byDevice)) {
      // Keys, quotes, colons and commas: a bound, not an exact count, which is all a limit needs.
      const bytes = Buffer.byteLength(JSON.stringify(body)) + Buffer.byteLength(userId) + Buffer.byteLength(deviceId) + 16;
      if (size > 0 && size + bytes > maxBytes) {
        parts.push(current);
        current = {};
        size = 0;
      }
      setOwn(ownOrSet(current, userId, () => ({})), deviceId, body);
      size += bytes;
    }
  }
  if (size > 0) parts.push(current);
  return parts;
}
