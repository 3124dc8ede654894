/** The body of POST /createRoom as the core takes it: the wire type, validated by its schema before it gets here. */
export type { CreateRoomRequest } from "../../schemas/client/rooms/create-room.js";
