import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type * as SnsClientModule from '../../functions/lib/clients/sns';
import { PublicRepositoryAllowList } from '../../functions/lib/compliance/allow-list';
import { Catalogue } from '../../functions/lib/compliance/catalogue';
import { evaluate } from '../../functions/lib/compliance/evaluate';
import type * as PublishModule from '../../functions/lib/compliance/publish';
import { DEFAULT_RULES } from '../../functions/lib/compliance/rules';
import type { Finding } from '../../functions/lib/compliance/types';
import type { RunningFake } from '../../local/fakes/aws-json';
import { type SnsNotification, startSnsFake } from '../../local/fakes/sns';
import { readLines } from '../../local/ndjson';
import { fixture } from '../unit/compliance/support/cases';

// The local SNS fake is driven by the real SDK client, through the standard endpoint setting.
const TOPIC = 'arn:aws:sns:us-east-1:000000000000:compliance-alarm-topic';
let dir: string;
let fake: RunningFake;
let publish: typeof PublishModule;
let snsClient: typeof SnsClientModule.snsClient;

function finding(): Finding {
  const envelope = fixture('github-repository-publicized');
  const [first] = evaluate(
    new Catalogue(DEFAULT_RULES),
    envelope,
    envelope.payload,
    new PublicRepositoryAllowList([]),
  ).findings;
  return first as Finding;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sns-fake-'));
  fake = await startSnsFake(dir);
  process.env.AWS_ENDPOINT_URL_SNS = fake.url;
  // Required only now: the SNS client reads its endpoint when its module loads.
  publish = require('../../functions/lib/compliance/publish') as typeof PublishModule;
  ({ snsClient } = require('../../functions/lib/clients/sns') as typeof SnsClientModule);
});

afterAll(async () => {
  snsClient?.destroy();
  await fake?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('local SNS fake', () => {
  it('takes a Publish from the SDK and appends it to sns/<topic name>.ndjson', async () => {
    const alert = finding();

    const { messageId } = await publish.alertFinding(TOPIC, alert);

    const lines = await readLines<SnsNotification>(join(dir, 'sns', 'compliance-alarm-topic.ndjson'));
    expect(lines).toEqual([
      {
        Type: 'Notification',
        MessageId: messageId,
        TopicArn: TOPIC,
        Subject: publish.alertSubject(alert),
        Message: publish.alertMessage(alert),
        Timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        MessageAttributes: {
          severity: { Type: 'String', Value: 'high' },
          ruleId: { Type: 'String', Value: 'github.repository.publicized' },
          source: { Type: 'String', Value: 'github' },
        },
      },
    ]);
  });

  it('answers errors the SDK understands, as SNS does', async () => {
    const notATopic = publish.alertFinding('compliance-alarm-topic', finding());

    await expect(notATopic).rejects.toMatchObject({
      name: 'InvalidParameterException',
      message: 'Invalid parameter: TopicArn',
      $metadata: { httpStatusCode: 400 },
    });
  });
});
