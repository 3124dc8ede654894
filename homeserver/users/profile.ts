export interface Profile {
  displayname: string | null;
  avatar_url: string | null;
}
