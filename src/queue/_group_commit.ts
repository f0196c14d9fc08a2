interface Waiting<I, O> {
  item: I;
  resolve(value: O): void;
  reject(reason: unknown): void;
}

/**
 * Lets concurrent calls share one transaction: items pushed while a batch is
 * being written, or in the same turn of the event loop, go into the next
 * batch together, so N callers cost one commit (one fsync) rather than N.
 * `write` takes the items and returns one output per item, in order; if it
 * throws, every caller of that batch gets the error.
 */
export class GroupCommit<I, O> {
  readonly #write: (items: I[]) => Promise<O[]> | O[];
  readonly #maxBatch: number;
  #waiting: Waiting<I, O>[] = [];
  #writing = false;

  constructor(write: (items: I[]) => Promise<O[]> | O[], maxBatch = 1_000) {
    this.#write = write;
    this.#maxBatch = maxBatch;
  }

  push(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.#waiting.push({ item, resolve, reject });
      if (!this.#writing && this.#waiting.length === 1) {
        queueMicrotask(() => this.#flush());
      }
    });
  }

  async #flush(): Promise<void> {
    if (this.#writing) return;
    this.#writing = true;
    while (this.#waiting.length > 0) {
      const batch = this.#waiting.splice(0, this.#maxBatch);
      try {
        const outputs = await this.#write(batch.map(({ item }) => item));
        batch.forEach((waiting, index) => waiting.resolve(outputs[index]!));
      } catch (error) {
        for (const waiting of batch) waiting.reject(error);
      }
      // Let the callers just resolved push their next items into one batch.
      await Promise.resolve();
    }
    this.#writing = false;
  }
}
