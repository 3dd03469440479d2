import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type KinesisClient, PutRecordsCommand, type PutRecordsCommandOutput } from '@aws-sdk/client-kinesis';
import { partitionKey } from '../../functions/lib/envelope';
import { type Emulators, emulatorKinesisClient, startEmulators } from '../../local/emulators';
import { LOCAL_NAMES } from '../../local/names';
import { putInOrder, type RecordPutter } from '../../local/replay/put';
import { decodeObject } from '../../local/replay/records';
import { readStream } from '../support/emulators';
import { githubPayload, githubRecord } from './support';

/**
 * kinesalite never refuses a record, so this wraps it with what a busy real stream does: PutRecords
 * answers 200 while refusing some records (ProvisionedThroughputExceededException) and storing the rest.
 * Records whose text is in `refuseOnce` are refused on their first attempt, those in `refuseAlways` always.
 */
function busyStream(real: KinesisClient, refuseOnce: Set<string>, refuseAlways: Set<string>): RecordPutter {
  return {
    async send(command: PutRecordsCommand): Promise<PutRecordsCommandOutput> {
      const entries = command.input.Records ?? [];
      const text = (data: Uint8Array | undefined) => Buffer.from(data ?? new Uint8Array()).toString('utf8');
      const refused = entries.map((entry) => {
        const body = text(entry.Data);
        if (refuseAlways.has(body)) return true;
        return refuseOnce.delete(body);
      });
      const accepted = entries.filter((_, index) => !refused[index]);
      const response = accepted.length
        ? await real.send(new PutRecordsCommand({ ...command.input, Records: accepted }))
        : { Records: [] };
      const stored = [...(response.Records ?? [])];
      return {
        $metadata: {},
        FailedRecordCount: refused.filter(Boolean).length,
        Records: refused.map((isRefused) =>
          isRefused
            ? { ErrorCode: 'ProvisionedThroughputExceededException', ErrorMessage: 'Rate exceeded' }
            : (stored.shift() ?? {}),
        ),
      };
    },
  };
}

describe('putting records back in order per partition key', () => {
  let dir: string;
  let emulators: Emulators;
  let kinesis: KinesisClient;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'put-order-'));
    emulators = await startEmulators({ dir, persist: false, shardCount: 2 });
    kinesis = emulatorKinesisClient(emulators.endpoints.kinesis);
  });

  afterAll(async () => {
    kinesis?.destroy();
    await emulators?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps each key in receive order when records are refused and retried, and stops a key that keeps failing', async () => {
    // Three repositories, six events each, interleaved in time; real push payloads.
    const repositories = ['octo/alpha', 'octo/beta', 'octo/gamma'];
    const events = Array.from({ length: 18 }, (_, index) => {
      const payload = githubPayload('push');
      (payload.repository as Record<string, unknown>).full_name = repositories[index % 3];
      payload.after = `commit-${index}`;
      return githubRecord('push', payload, new Date(Date.UTC(2026, 10, 1, 10, 0, index)));
    });
    const records = events
      .map((event) => decodeObject(Buffer.from(event.text)).records[0])
      .filter((r) => r !== undefined);
    const refuseOnce = new Set(events.filter((_, index) => index % 2 === 1).map((event) => event.text));
    // The 5th event of octo/gamma (index 14) never gets in: it and octo/gamma's later events must not be put.
    const poisoned = events[14]?.text as string;
    const stream = busyStream(kinesis, refuseOnce, new Set([poisoned]));

    const outcome = await putInOrder(stream, LOCAL_NAMES.stream, records, {
      maxAttempts: 3,
      sleep: async () => {},
    });

    const onStream = await readStream(emulators.endpoints.kinesis, LOCAL_NAMES.stream);
    const byKey = (key: string) =>
      onStream.filter((r) => r.partitionKey === key).map((r) => r.data.toString('utf8'));
    const expected = (repository: string, before = Number.POSITIVE_INFINITY) =>
      events
        .filter((event, index) => event.envelope.subject === repository && index < before)
        .map((e) => e.text);

    expect(byKey(partitionKey({ source: 'github', subject: 'octo/alpha' }))).toEqual(expected('octo/alpha'));
    expect(byKey(partitionKey({ source: 'github', subject: 'octo/beta' }))).toEqual(expected('octo/beta'));
    expect(byKey(partitionKey({ source: 'github', subject: 'octo/gamma' }))).toEqual(
      expected('octo/gamma', 14),
    );
    expect(outcome).toEqual({ put: 16, failed: 2, errors: { ProvisionedThroughputExceededException: 2 } });
    // Every refused record was retried, except octo/gamma's last one: never tried after the key stopped.
    expect([...refuseOnce]).toEqual([events[17]?.text]);
  });
});
