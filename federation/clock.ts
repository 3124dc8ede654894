/** Time as federation reads it (signature validity, key caches, backoff): the core's clock; tests pass a fake. */
export type { Clock } from "../homeserver/core/clock.js";
