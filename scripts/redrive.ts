// First: with --file it points the SDK at the running local pipeline before the client modules load.
import './lib/redrive-local';
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { kinesisClient } from '../functions/lib/clients/kinesis';
import { s3 } from '../functions/lib/clients/s3';
import { sqsClient } from '../functions/lib/clients/sqs';
import { type FailureMessage, queueMessages, type ReplayWindow, redrive } from '../local/redrive';
import { replay } from '../local/replay/replay';

const usage = `npm run redrive -- (--queue-url <dead-letter queue url> | --file <dlq.ndjson>) [--lake <s3://bucket/events/>]
                        [--dry-run] [--max <n>]

Puts the batches the dispatcher gave up on back onto the stream and deletes each dead-letter message
only after its records were re-put. --file reads the local pipeline's .local/dlq.ndjson. Records that have
left the stream are recovered from --lake by replaying their time window (idempotent downstream).`;

/** The local dead-letter file: removed lines are dropped when the run ends. */
function fromFile(path: string, max: number): { messages: AsyncIterable<FailureMessage>; commit(): void } {
  const lines = readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '');
  const removed = new Set<number>();
  async function* messages(): AsyncIterable<FailureMessage> {
    for (const [index, body] of lines.slice(0, max).entries()) {
      yield { id: `line ${index + 1}`, body, remove: async () => void removed.add(index) };
    }
  }
  return {
    messages: messages(),
    commit: () => {
      const kept = lines.filter((_, index) => !removed.has(index));
      writeFileSync(path, kept.map((line) => `${line}\n`).join(''));
    },
  };
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      'queue-url': { type: 'string' },
      file: { type: 'string' },
      lake: { type: 'string' },
      'dry-run': { type: 'boolean', default: false },
      max: { type: 'string', default: '1000' },
      help: { type: 'boolean', default: false },
    },
  });
  const max = Number(values.max);
  if (values.help || !values['queue-url'] === !values.file || !Number.isSafeInteger(max) || max < 1) {
    console.error(usage);
    return values.help ? 0 : 2;
  }
  const dryRun = values['dry-run'] ?? false;
  const source = values.file ? fromFile(values.file, max) : undefined;
  const messages = source?.messages ?? queueMessages(sqsClient, values['queue-url'] as string, max);
  const lake = values.lake;
  const outcome = await redrive(kinesisClient, messages, {
    dryRun,
    onProgress: (line) => console.error(line),
    ...(lake && {
      recoverFromLake: (window: ReplayWindow) =>
        replay(
          { from: lake, stream: window.streamName, since: window.since, until: window.until, dryRun: false },
          { s3: s3().client, kinesis: kinesisClient },
        ),
    }),
  });
  if (!dryRun) source?.commit();
  console.log(
    `${dryRun ? 'dry run: ' : ''}${outcome.messages} messages, ${outcome.redriven} redriven (${outcome.records} records), ${outcome.recoveredFromLake} recovered from the lake, ` +
      `${outcome.expired.length} expired, ${outcome.unreadable.length} unreadable, ${outcome.failed.length} failed`,
  );
  for (const expired of outcome.expired)
    console.log(`expired ${expired.id}: recover with\n  ${expired.replay}`);
  for (const failed of outcome.failed) console.log(`failed ${failed.id}: ${failed.error}`);
  return outcome.failed.length > 0 || outcome.expired.length > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
