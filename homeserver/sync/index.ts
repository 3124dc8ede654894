export interface SyncServices {}
export function createSyncServices(): SyncServices {
  return {};
}
