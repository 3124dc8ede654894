import type { WirePdu } from "../pdu.js";

/** PUT /_matrix/federation/v1/send/{txnId} (sendTransaction). */
export interface SendTransactionRequest {
  origin: string;
  origin_server_ts: number;
  /** At most 50. Items are checked one by one, so one bad PDU does not refuse the others. */
  pdus: WirePdu[];
  /** At most 100. */
  edus?: Edu[];
}

export interface Edu {
  edu_type: string;
  content: Record<string, unknown>;
}

export interface SendTransactionResponse {
  /** Event id -> `{}` when handled, `{error}` when not. */
  pdus: Record<string, { error?: string }>;
}

export const MAX_PDUS_PER_TRANSACTION = 50;
export const MAX_EDUS_PER_TRANSACTION = 100;

export const sendTransactionParams = {
  type: "object",
  required: ["txnId"],
  properties: { txnId: { type: "string", minLength: 1 } },
} as const;

export const sendTransactionBody = {
  type: "object",
  required: ["origin", "origin_server_ts", "pdus"],
  properties: {
    origin: { type: "string", minLength: 1 },
    origin_server_ts: { type: "integer" },
    pdus: { type: "array", maxItems: MAX_PDUS_PER_TRANSACTION },
    edus: { type: "array", maxItems: MAX_EDUS_PER_TRANSACTION },
  },
} as const;
