/** A record not attempted because an earlier record with its partition key failed in the same batch. */
export class SkippedAfterEarlierFailure extends Error {
  override readonly name = 'SkippedAfterEarlierFailure';
}

type Outcome = { ok: true } | { ok: false; firstFailure: string };

interface Slot {
  key: string;
  predecessor: string | undefined;
  outcome: Promise<Outcome>;
  settle: (outcome: Outcome) => void;
}

/**
 * Keeps a batch in order per partition key while different keys run side by side: each record waits for the
 * record before it with the same key, and once one record of a key fails, every later record of that key
 * fails without being attempted. Lambda then resumes the shard at the earliest failed record, so no record
 * ever runs before an earlier one of its key has succeeded.
 *
 * A failure for which `blocksKey` answers false (a record that can never run, such as one that is not an
 * envelope) is still reported, but does not hold its key back: no later event depends on it, and holding
 * them would send valid events to the dead-letter queue with it.
 *
 * Records are known up front (the whole batch), so the order does not depend on the order in which the
 * batch processor happens to call `run`.
 */
export class KeyOrder {
  private readonly slots = new Map<string, Slot>();

  constructor(
    records: readonly { id: string; key: string }[],
    private readonly blocksKey: (error: unknown) => boolean = () => true,
  ) {
    const lastOfKey = new Map<string, string>();
    for (const { id, key } of records) {
      if (this.slots.has(id)) throw new Error(`record ${id} appears twice in the batch`);
      let settle: (outcome: Outcome) => void = () => undefined;
      const outcome = new Promise<Outcome>((resolve) => {
        settle = resolve;
      });
      this.slots.set(id, { key, predecessor: lastOfKey.get(key), outcome, settle });
      lastOfKey.set(key, id);
    }
  }

  async run<T>(id: string, task: () => Promise<T>): Promise<T> {
    const slot = this.slots.get(id);
    if (!slot) throw new Error(`record ${id} is not part of this batch`);
    const before = slot.predecessor === undefined ? undefined : this.slots.get(slot.predecessor);
    const previous: Outcome = before ? await before.outcome : { ok: true };
    if (!previous.ok) {
      slot.settle(previous);
      throw new SkippedAfterEarlierFailure(
        `not attempted: record ${previous.firstFailure} of key ${slot.key} failed earlier in this batch`,
      );
    }
    try {
      const result = await task();
      slot.settle({ ok: true });
      return result;
    } catch (error) {
      slot.settle(this.blocksKey(error) ? { ok: false, firstFailure: id } : previous);
      throw error;
    }
  }
}
