import { documentFileName } from '../local/fakes/opensearch';
import { postWebhook, signWebhook, type WebhookRequest } from '../local/signing';
import { indexedTimes, withBenchPipeline } from './local-pipeline';
import type { BenchRow } from './types';

/**
 * A burst on one repository against the same burst spread over as many repositories, each through a fresh
 * local pipeline (`npm start`) with the template's stream settings: seconds from the first request sent to
 * the last document indexed. One repository is one partition key, so one shard and one batch at a time;
 * spread, the burst uses every shard. The dispatcher runs a batch concurrently, so the two should be close.
 */
const EVENTS = Number(process.env.BENCH_BURST_EVENTS ?? 300);
const SENDERS = 24;
const ROUNDS = 2;
const CI_EVENTS = new Set(['workflow_job', 'workflow_run', 'check_run', 'check_suite', 'status']);

const githubExamples = require('@octokit/webhooks-examples') as {
  name: string;
  examples: Record<string, unknown>[];
}[];

/** EVENTS real CI payloads; `repositoryOf(index)` names each one's repository. */
function burst(repositoryOf: (index: number) => string): WebhookRequest[] {
  const all = githubExamples
    .filter(({ name }) => CI_EVENTS.has(name))
    .flatMap(({ name, examples }) => examples.map((example) => ({ name, example })))
    .filter(({ example }) => example.repository);
  return Array.from({ length: EVENTS }, (_, index) => {
    const { name, example } = all[index % all.length] as (typeof all)[number];
    const payload = structuredClone(example);
    (payload.repository as { full_name: string }).full_name = repositoryOf(index);
    return signWebhook({
      source: 'github',
      body: Buffer.from(JSON.stringify(payload)),
      event: name,
      env: {},
    });
  });
}

/** Seconds from the first send to the last document indexed, through a pipeline of its own. */
async function secondsToIndex(requests: WebhookRequest[]): Promise<number> {
  return withBenchPipeline('burst', async (pipeline, dir) => {
    const files = new Set<string>();
    let next = 0;
    const started = Date.now();
    await Promise.all(
      Array.from({ length: SENDERS }, async () => {
        while (next < requests.length) {
          const request = requests[next++] as WebhookRequest;
          const answer = await postWebhook(pipeline.url, request);
          if (answer.status !== 202)
            throw new Error(`burst request refused: ${answer.status} ${answer.body}`);
          files.add(documentFileName(`github:${request.deliveryId}`));
        }
      }),
    );
    const indexed = await indexedTimes(dir, files, 300_000);
    return (Math.max(...indexed.values()) - started) / 1000;
  });
}

export async function run(): Promise<BenchRow[]> {
  // Interleaved, best of ROUNDS each: on a shared machine a slow moment should not decide the ratio.
  let oneRepository = Number.POSITIVE_INFINITY;
  let spread = Number.POSITIVE_INFINITY;
  for (let round = 0; round < ROUNDS; round += 1) {
    oneRepository = Math.min(oneRepository, await secondsToIndex(burst(() => 'octo-org/busy-ci')));
    spread = Math.min(spread, await secondsToIndex(burst((index) => `octo-org/repository-${index}`)));
  }
  const note = `${EVENTS} real CI events, ${SENDERS} senders, first sent to last indexed, best of ${ROUNDS}`;
  return [
    { name: 'local burst, one repository', value: oneRepository, unit: 's', note },
    { name: 'local burst, spread over repositories', value: spread, unit: 's', note },
    {
      name: 'local burst, one repository / spread',
      value: oneRepository / spread,
      unit: 'ratio',
      note: 'goal: at most 1.3',
    },
  ];
}
