import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { PublicRepositoryAllowList } from '../../../functions/lib/compliance/allow-list';
import { Catalogue } from '../../../functions/lib/compliance/catalogue';
import { evaluate } from '../../../functions/lib/compliance/evaluate';
import {
  alertFinding,
  alertSubject,
  FindingPublishError,
  publishFinding,
} from '../../../functions/lib/compliance/publish';
import { DEFAULT_RULES } from '../../../functions/lib/compliance/rules';
import type { Finding } from '../../../functions/lib/compliance/types';
import { fixture } from './support/cases';

// No EventBridge or SNS emulator exists: their clients are mocked.
const eventbridge = mockClient(EventBridgeClient);
const sns = mockClient(SNSClient);

function publicizedFinding(): Finding {
  const envelope = fixture('github-repository-publicized');
  const [finding] = evaluate(
    new Catalogue(DEFAULT_RULES),
    envelope,
    envelope.payload,
    new PublicRepositoryAllowList([]),
  ).findings;
  if (!finding) throw new Error('the publicized fixture raised no finding');
  return finding;
}

beforeEach(() => {
  eventbridge.reset();
  sns.reset();
});

describe('publishing a finding on the bus', () => {
  it('puts one Compliance Finding event from webhooks.compliance with the finding as detail', async () => {
    const finding = publicizedFinding();
    eventbridge.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'eb-1' }] });

    const result = await publishFinding('webhooks', finding);

    expect(result).toEqual({ eventId: 'eb-1' });
    expect(eventbridge).toHaveReceivedCommandTimes(PutEventsCommand, 1);
    const entries = eventbridge.commandCalls(PutEventsCommand)[0]?.args[0].input.Entries ?? [];
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({
      EventBusName: 'webhooks',
      Source: 'webhooks.compliance',
      DetailType: 'Compliance Finding',
    });
    expect(JSON.parse(entries[0]?.Detail ?? '{}')).toEqual(finding);
  });

  it('fails when EventBridge rejects the entry, although the call itself succeeded', async () => {
    eventbridge.on(PutEventsCommand).resolves({
      FailedEntryCount: 1,
      Entries: [{ ErrorCode: 'ThrottlingException', ErrorMessage: 'Rate exceeded' }],
    });

    const publishing = publishFinding('webhooks', publicizedFinding());

    await expect(publishing).rejects.toThrow(FindingPublishError);
    await expect(publishFinding('webhooks', publicizedFinding())).rejects.toThrow(
      /ThrottlingException Rate exceeded/,
    );
  });
});

describe('alerting a finding by SNS', () => {
  it('publishes a readable message with severity, rule and source as filterable attributes', async () => {
    const finding = publicizedFinding();
    sns.on(PublishCommand).resolves({ MessageId: 'msg-1' });

    const result = await alertFinding('arn:aws:sns:us-east-1:123456789012:alarms', finding);

    expect(result).toEqual({ messageId: 'msg-1' });
    const input = sns.commandCalls(PublishCommand)[0]?.args[0].input;
    expect(input?.TopicArn).toBe('arn:aws:sns:us-east-1:123456789012:alarms');
    expect(input?.Subject).toBe('[HIGH] Repository made public: Codertocat/Hello-World');
    expect(input?.Message).toContain(`Finding:    ${finding.findingId}`);
    expect(input?.Message).toContain(`What to do: ${finding.rule.remediation}`);
    expect(input?.MessageAttributes).toEqual({
      severity: { DataType: 'String', StringValue: 'high' },
      ruleId: { DataType: 'String', StringValue: 'github.repository.publicized' },
      source: { DataType: 'String', StringValue: 'github' },
    });
  });

  it('keeps the subject within the 100 printable ASCII characters SNS accepts', () => {
    const finding = { ...publicizedFinding(), repository: `équipe/${'x'.repeat(150)}` };

    const subject = alertSubject(finding);

    expect(subject).toHaveLength(100);
    expect(subject).toMatch(/^[\x20-\x7e]+$/);
    expect(subject.endsWith('...')).toBe(true);
  });
});
