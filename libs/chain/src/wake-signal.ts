/** Lets a waiting loop resume early when something it waits for may have changed. */
export class WakeSignal {
  #waiters: (() => void)[] = [];

  /** Resolves on the next `wake()` or after `ms`, whichever is first. */
  wait(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      const waiters = this.#waiters;
      function done() {
        clearTimeout(timer);
        const index = waiters.indexOf(done);
        if (index >= 0) waiters.splice(index, 1);
        resolve();
      }
      waiters.push(done);
    });
  }

  wake(): void {
    for (const waiter of this.#waiters.splice(0)) waiter();
  }
}
