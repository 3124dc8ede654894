import { randomInt } from "node:crypto";

/**
 * A guest's localpart: digits only, which full accounts may not take (checkNewLocalpart), so a guest id is
 * recognisable and never collides with a chosen username. Synapse numbers its guests in sequence; a random
 * number gives nothing away about how many guests there were.
 */
export function newGuestLocalpart(): string {
  let id = String(randomInt(1, 10));
  for (let i = 0; i < 11; i++) id += String(randomInt(10));
  return id;
}

export const isGuestLocalpart = (localpart: string): boolean => /^\d+$/.test(localpart);
