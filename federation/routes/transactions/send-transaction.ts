import type { FastifyInstance } from "fastify";
import type { FederationApiServices } from "../../federation-api-services.js";
import {
  MAX_EDUS_PER_TRANSACTION,
  MAX_PDUS_PER_TRANSACTION,
  sendTransactionBody,
  sendTransactionParams,
  type SendTransactionRequest,
  type SendTransactionResponse,
} from "../../../schemas/federation/transactions/send-transaction.js";
import { requireFederationOrigin } from "../../auth/federation-auth.js";

/** 50 PDUs and 100 EDUs of at most 64 KiB each, and the envelope: more than the default body limit. */
const MAX_PDU_BYTES = 65_536;
const TRANSACTION_BYTES = (MAX_PDUS_PER_TRANSACTION + MAX_EDUS_PER_TRANSACTION + 1) * MAX_PDU_BYTES;

/** PUT /_matrix/federation/v1/send/{txnId}: a transaction of PDUs and EDUs; per-PDU results, never a whole-transaction failure for one PDU. */
export function registerSendTransaction(app: FastifyInstance, { rooms, maxRequestBodyBytes }: Pick<FederationApiServices, "rooms" | "maxRequestBodyBytes">): void {
  app.put<{ Params: { txnId: string }; Body: SendTransactionRequest }>(
    "/_matrix/federation/v1/send/:txnId",
    {
      schema: { params: sendTransactionParams, body: sendTransactionBody },
      bodyLimit: Math.max(maxRequestBodyBytes, TRANSACTION_BYTES),
    },
    async (request): Promise<SendTransactionResponse> => {
      const origin = requireFederationOrigin(request);
      return rooms.transactions.receive(origin, request.params.txnId, request.body);
    },
  );
}
