import type { Logger } from "../core/logger.js";
import type { EduHandler } from "./edu-contracts.js";

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * Routes the EDUs of an inbound transaction to their handlers by edu_type. An EDU gets no answer in the
 * transaction response, so a malformed one, an unknown type or a failing handler is logged and skipped:
 * it never disturbs the other EDUs or the PDUs of the same transaction.
 */
export class EduDispatcher {
  private readonly handlers = new Map<string, EduHandler>();

  constructor(private readonly logger: Logger) {}

  register(eduType: string, handler: EduHandler): void {
    this.handlers.set(eduType, handler);
  }

  async dispatch(origin: string, edus: readonly unknown[]): Promise<void> {
    for (const edu of edus) {
      const type = isObject(edu) && typeof edu.edu_type === "string" ? edu.edu_type : undefined;
      const content = isObject(edu) && isObject(edu.content) ? edu.content : undefined;
      const handler = type === undefined ? undefined : this.handlers.get(type);
      if (!handler || !content) {
        this.logger.debug({ origin, eduType: type }, "EDU ignored: unknown type or not an object");
        continue;
      }
      try {
        await handler(origin, content);
      } catch (error) {
        this.logger.info({ origin, eduType: type, err: (error as Error).message }, "EDU refused");
      }
    }
  }
}
