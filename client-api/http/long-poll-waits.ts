import type { FastifyInstance, FastifyReply } from "fastify";

/** Runs one long-poll wait with a signal that ends it early. */
export type LongPollWait = <T>(reply: FastifyReply, wait: (signal: AbortSignal) => Promise<T>) => Promise<T>;

/**
 * Long-polls on `app` (GET /sync, the legacy GET /events): a wait ends early when its client goes away, and
 * when the server shuts down, so that close does not hang on parked requests; the endpoint then answers as
 * for a wait that found nothing, and the client resumes from the token it had.
 */
export function longPollWaits(app: FastifyInstance): LongPollWait {
  const parked = new Set<AbortController>();
  app.addHook("preClose", (done) => {
    for (const wait of parked) wait.abort();
    done();
  });
  return async (reply, wait) => {
    const gone = new AbortController();
    const onClose = () => {
      if (!reply.raw.writableFinished) gone.abort();
    };
    reply.raw.once("close", onClose);
    parked.add(gone);
    try {
      return await wait(gone.signal);
    } finally {
      parked.delete(gone);
      reply.raw.off("close", onClose);
    }
  };
}
