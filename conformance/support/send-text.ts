import { EventType, MsgType, type MatrixClient } from "matrix-js-sdk";

/** Sends an m.text message through the SDK and returns its event ID. */
export async function sendText(client: MatrixClient, roomId: string, body: string, txnId?: string): Promise<string> {
  const { event_id } = await client.sendEvent(roomId, EventType.RoomMessage, { msgtype: MsgType.Text, body }, txnId);
  return event_id;
}
