/**
 * Downloads of an id from /create that is not uploaded yet wait here (timeout_ms) until its upload completes
 * in this process, or their time runs out; then they look at the database again either way.
 */
export class UploadWaiters {
  private readonly waiting = new Map<string, Set<() => void>>();

  /** Resolves when `key` is uploaded or after `timeoutMs`, whichever comes first. */
  wait(key: string, timeoutMs: number): Promise<void> {
    return new Promise((resolve) => {
      let set = this.waiting.get(key);
      if (!set) this.waiting.set(key, (set = new Set()));
      const done = () => {
        clearTimeout(timer);
        set.delete(done);
        if (set.size === 0 && this.waiting.get(key) === set) this.waiting.delete(key);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      set.add(done);
    });
  }

  uploaded(key: string): void {
    for (const done of [...(this.waiting.get(key) ?? [])]) done();
  }
}
