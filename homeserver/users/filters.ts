import type { FilterStore } from "../storage/stores/filter-store.js";

/** Sync filters. Stored as given; their meaning belongs to the sync builder. */
export class FilterService {
  constructor(private readonly filters: FilterStore) {}

  /** Returns the new filter id (as the string the spec requires; it never starts with "{"). */
  async create(userId: string, filter: Record<string, unknown>): Promise<string> {
    return String(await this.filters.insert(userId, JSON.stringify(filter)));
  }

  /** The filter, or undefined when the id is unknown, malformed, or belongs to another user. */
  async get(userId: string, filterId: string): Promise<Record<string, unknown> | undefined> {
    if (!/^\d{1,15}$/.test(filterId)) return undefined;
    const json = await this.filters.get(userId, Number(filterId));
    return json === undefined ? undefined : (JSON.parse(json) as Record<string, unknown>);
  }
}
