/**
 * Runs work for one facility after the previous work for it finished, so two readings
 * of a facility never both pass the thresholds against the same chain state. Within
 * this process only: replicas sharing a facility may write one extra reading.
 */
export class FacilityLock {
  private readonly tails = new Map<number, Promise<unknown>>();

  run<T>(facilityId: number, work: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(facilityId) ?? Promise.resolve();
    const result = previous.catch(() => undefined).then(work);
    const tail = result.catch(() => undefined);
    this.tails.set(facilityId, tail);
    void tail.then(() => {
      if (this.tails.get(facilityId) === tail) this.tails.delete(facilityId);
    });
    return result;
  }
}
