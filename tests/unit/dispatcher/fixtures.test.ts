import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { KinesisStreamEvent } from 'aws-lambda';
import { octokitExamples, projectRoot } from '../../statemachine/support/envelopes';
import { buildFixtures } from './support/fixtures';

const built = buildFixtures();
const realPayloads = new Set(
  octokitExamples.flatMap(({ examples }) => examples.map((e) => JSON.stringify(e))),
);

describe('events/dispatcher fixtures', () => {
  it.each(Object.keys(built))('%s.json is what the builder makes from the real examples', (name) => {
    const committed = JSON.parse(
      readFileSync(join(projectRoot, 'events', 'dispatcher', `${name}.json`), 'utf8'),
    );

    expect(committed).toEqual(built[name]);
  });

  it.each(Object.entries(built))('%s carries only real @octokit/webhooks-examples payloads', (_, event) => {
    const decoded = (event as KinesisStreamEvent).Records.map((record) =>
      Buffer.from(record.kinesis.data, 'base64').toString('utf8'),
    );
    const payloads = decoded.flatMap((text) => {
      try {
        const value = JSON.parse(text);
        return value.payload === undefined ? [] : [JSON.stringify(value.payload)];
      } catch {
        return [];
      }
    });

    for (const payload of payloads) expect(realPayloads.has(payload)).toBe(true);
  });
});
