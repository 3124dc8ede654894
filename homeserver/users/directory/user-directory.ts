import type { SearchUserDirectoryRequest, SearchUserDirectoryResponse, UserDirectoryEntry } from "../../../schemas/client/user-directory/search-user-directory.js";
import type { UserDirectoryStore } from "../../storage/stores/user-directory-store.js";
import type { Requester } from "../requester.js";

const DEFAULT_LIMIT = 10;
/** Synapse's cap too: a directory search is a lookup, not a way to list the server's users. */
const MAX_LIMIT = 50;
/** Bounds the query a long term builds; real searches are a name or two. */
const MAX_WORDS = 10;
const MAX_WORD_LENGTH = 64;

/**
 * The words of a search term, as Synapse splits them: runs of letters, digits and underscores, lower-cased.
 * Each must begin a word of a user's id or display name ("ali smi" finds "Alice Smith", "ice" does not).
 */
export function searchWords(term: string): string[] {
  const words = term.toLowerCase().match(/[\p{L}\p{N}_]+/gu) ?? [];
  return words.slice(0, MAX_WORDS).map((word) => word.slice(0, MAX_WORD_LENGTH));
}

/** POST /user_directory/search. Who can be found is the store's concern; this shapes the request and reply. */
export class UserDirectoryService {
  constructor(
    private readonly store: UserDirectoryStore,
    private readonly settings: { search_all_users: boolean },
  ) {}

  async search(requester: Requester, request: SearchUserDirectoryRequest): Promise<SearchUserDirectoryResponse> {
    const limit = Math.max(0, Math.min(request.limit ?? DEFAULT_LIMIT, MAX_LIMIT));
    const words = searchWords(request.search_term);
    const found = await this.store.search({
      searcher: requester.userId,
      words,
      term: request.search_term.trim().toLowerCase().replace(/^@/, ""),
      allLocalUsers: this.settings.search_all_users,
      limit,
    });
    const results = found.slice(0, limit).map((user) => {
      const entry: UserDirectoryEntry = { user_id: user.userId };
      if (user.displayName !== null) entry.display_name = user.displayName;
      // Another server's member event may carry anything; the spec promises an mxc URI.
      if (user.avatarUrl !== null && user.avatarUrl.startsWith("mxc://")) entry.avatar_url = user.avatarUrl;
      return entry;
    });
    return { results, limited: found.length > limit };
  }
}
