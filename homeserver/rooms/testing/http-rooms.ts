import type { FastifyInstance } from "fastify";
import { bearer } from "../../users/testing/http-users.js";

const V3 = "/_matrix/client/v3";

/**
 * Creates a room through POST /createRoom as `creator`, as a client would, and returns its id. A set-up step
 * that fails throws here, with the server's answer, instead of leaving an undefined room id for a later
 * assertion to trip over.
 */
export async function createTestRoom(http: FastifyInstance, creator: { accessToken: string }, payload: Record<string, unknown> = {}): Promise<string> {
  const response = await http.inject({ method: "POST", url: `${V3}/createRoom`, headers: bearer(creator), payload });
  if (response.statusCode !== 200) throw new Error(`createRoom failed: ${response.statusCode} ${response.body}`);
  return (response.json() as { room_id: string }).room_id;
}

/** Joins `user` to `roomId` through POST /rooms/{roomId}/join; throws unless the server answers 200. */
export async function joinTestRoom(http: FastifyInstance, user: { accessToken: string }, roomId: string): Promise<void> {
  const response = await http.inject({ method: "POST", url: `${V3}/rooms/${encodeURIComponent(roomId)}/join`, headers: bearer(user), payload: {} });
  if (response.statusCode !== 200) throw new Error(`join ${roomId} failed: ${response.statusCode} ${response.body}`);
}
