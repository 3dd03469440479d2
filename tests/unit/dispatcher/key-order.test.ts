import { KeyOrder, SkippedAfterEarlierFailure } from '../../../functions/lib/dispatcher/key-order';

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('KeyOrder', () => {
  it('runs a key in batch order even when the later record is offered first', async () => {
    const order = new KeyOrder([
      { id: '1', key: 'github:octo-org/octo-repo' },
      { id: '2', key: 'github:octo-org/octo-repo' },
    ]);
    const ran: string[] = [];

    const second = order.run('2', async () => ran.push('2'));
    await tick();
    const first = order.run('1', async () => ran.push('1'));
    await Promise.all([first, second]);

    expect(ran).toEqual(['1', '2']);
  });

  it('holds back every later record of a key after a failure, naming the record that failed', async () => {
    const order = new KeyOrder([
      { id: '1', key: 'a' },
      { id: '2', key: 'a' },
      { id: '3', key: 'a' },
      { id: '4', key: 'b' },
    ]);
    const ran: string[] = [];
    const run = (id: string, fail = false) =>
      order.run(id, async () => {
        ran.push(id);
        if (fail) throw new Error(`record ${id} broke`);
      });

    const outcomes = await Promise.allSettled([run('1', true), run('2'), run('3'), run('4')]);

    expect(ran.sort()).toEqual(['1', '4']);
    expect(outcomes.map((outcome) => outcome.status)).toEqual([
      'rejected',
      'rejected',
      'rejected',
      'fulfilled',
    ]);
    const third = outcomes[2] as PromiseRejectedResult;
    expect(third.reason).toBeInstanceOf(SkippedAfterEarlierFailure);
    expect(third.reason.message).toBe('not attempted: record 1 of key a failed earlier in this batch');
  });

  it('refuses a record it was not told about', async () => {
    const order = new KeyOrder([{ id: '1', key: 'a' }]);

    await expect(order.run('2', async () => 'never')).rejects.toThrow('record 2 is not part of this batch');
  });
});
