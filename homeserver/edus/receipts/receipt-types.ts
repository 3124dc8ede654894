/** Receipt types of the spec's Receipts and Fully read markers modules. */
export const READ = "m.read";
export const READ_PRIVATE = "m.read.private";
/** Not a receipt: room account data, set through the same endpoints. */
export const FULLY_READ = "m.fully_read";

/** What POST /receipt/{receiptType} accepts. */
export type ClientReceiptType = typeof READ | typeof READ_PRIVATE | typeof FULLY_READ;

/** The thread_id of a receipt for the room's main timeline (events in no thread). */
export const MAIN_TIMELINE = "main";
