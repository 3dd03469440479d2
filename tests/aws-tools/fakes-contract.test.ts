import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateEventBusCommand, EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import {
  ChangeResourceRecordSetsCommand,
  CreateHostedZoneCommand,
  ListResourceRecordSetsCommand,
  Route53Client,
} from '@aws-sdk/client-route-53';
import { CreateTopicCommand, PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { startEventBridgeFake } from '../../local/fakes/eventbridge';
import { startRoute53Fake } from '../../local/fakes/route53';
import { startSnsFake } from '../../local/fakes/sns';
import { type AwsTools, describeWithAwsTools, startMotoServer } from './tools';

/**
 * The same calls the functions make (PutEvents, Publish, ChangeResourceRecordSets, ListResourceRecordSets),
 * their answers and their errors, against the local fakes and against moto server, an independent
 * implementation of the same APIs. Where moto is laxer than AWS (DetailType length), the limits module
 * decides and tests/unit/limits checks the fake against it.
 */
const credentials = { accessKeyId: 'testing', secretAccessKey: 'testing' };
const region = 'us-east-1';
const ZONE = 'home.example.com';

interface Target {
  eventBridge: EventBridgeClient;
  sns: SNSClient;
  route53: Route53Client;
  topicArn: string;
  zoneId: string;
  close(): Promise<void>;
}

async function startMoto(tools: AwsTools): Promise<Target> {
  const moto = await startMotoServer(tools);
  const endpoint = moto.endpoint;
  const options = { endpoint, region, credentials };
  const eventBridge = new EventBridgeClient(options);
  const sns = new SNSClient(options);
  const route53 = new Route53Client(options);
  await eventBridge.send(new CreateEventBusCommand({ Name: 'webhooks' }));
  const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'compliance-alarm-topic' }));
  const zone = await route53.send(new CreateHostedZoneCommand({ Name: ZONE, CallerReference: 'contract' }));
  return {
    eventBridge,
    sns,
    route53,
    topicArn: TopicArn as string,
    zoneId: String(zone.HostedZone?.Id).replace('/hostedzone/', ''),
    close: async () => moto.stop(),
  };
}

async function startFakes(): Promise<Target> {
  const dir = await mkdtemp(join(tmpdir(), 'contract-'));
  const bus = await startEventBridgeFake(dir);
  const topic = await startSnsFake(dir);
  const dns = await startRoute53Fake(dir, { zoneName: ZONE, zoneId: 'Z0CONTRACTZONE' });
  return {
    eventBridge: new EventBridgeClient({ endpoint: bus.url, region, credentials }),
    sns: new SNSClient({ endpoint: topic.url, region, credentials }),
    route53: new Route53Client({ endpoint: dns.url, region, credentials }),
    topicArn: `arn:aws:sns:${region}:123456789012:compliance-alarm-topic`,
    zoneId: 'Z0CONTRACTZONE',
    close: async () => {
      await Promise.all([bus.close(), topic.close(), dns.close()]);
    },
  };
}

const errorName = (promise: Promise<unknown>) =>
  promise.then(
    () => 'no error',
    (error: Error) => error.name,
  );

function contract(name: string, start: () => Promise<Target>): void {
  describe(name, () => {
    let target: Target;
    beforeAll(async () => {
      target = await start();
    });
    afterAll(async () => {
      await target?.close();
    });

    const entry = (overrides: Record<string, string> = {}) => ({
      EventBusName: 'webhooks',
      Source: 'webhooks.github',
      DetailType: 'push',
      Detail: JSON.stringify({ id: 'd-1', type: 'push' }),
      ...overrides,
    });

    it('PutEvents: accepts an entry and gives it an id', async () => {
      const result = await target.eventBridge.send(new PutEventsCommand({ Entries: [entry()] }));
      expect(result.FailedEntryCount).toBe(0);
      expect(result.Entries).toEqual([expect.objectContaining({ EventId: expect.any(String) })]);
    });

    it('PutEvents: reports a Detail that is not a JSON object as a failed entry', async () => {
      const result = await target.eventBridge.send(
        new PutEventsCommand({ Entries: [entry(), entry({ Detail: 'not json' })] }),
      );
      expect(result.FailedEntryCount).toBe(1);
      expect(result.Entries?.[1]?.ErrorCode).toBe('MalformedDetail');
    });

    it('PutEvents: refuses more than 10 entries in one call', async () => {
      const entries = Array.from({ length: 11 }, () => entry());
      expect(await errorName(target.eventBridge.send(new PutEventsCommand({ Entries: entries })))).toBe(
        'ValidationException',
      );
    });

    it('Publish: accepts a message with a subject and attributes', async () => {
      const result = await target.sns.send(
        new PublishCommand({
          TopicArn: target.topicArn,
          Subject: '[HIGH] Repository made public: octo-org/api',
          Message: '{"finding":"f-1"}',
          MessageAttributes: { severity: { DataType: 'String', StringValue: 'high' } },
        }),
      );
      expect(result.MessageId).toEqual(expect.any(String));
    });

    it('Publish: refuses a subject over 100 characters', async () => {
      const publish = new PublishCommand({
        TopicArn: target.topicArn,
        Subject: 'x'.repeat(101),
        Message: 'm',
      });
      expect(await errorName(target.sns.send(publish))).toMatch(/^InvalidParameter/);
    });

    it('Route 53: UPSERTs an A record and lists it back', async () => {
      const name = `nas.${ZONE}.`;
      const change = await target.route53.send(
        new ChangeResourceRecordSetsCommand({
          HostedZoneId: target.zoneId,
          ChangeBatch: {
            Changes: [
              {
                Action: 'UPSERT',
                ResourceRecordSet: {
                  Name: name,
                  Type: 'A',
                  TTL: 60,
                  ResourceRecords: [{ Value: '203.0.113.7' }],
                },
              },
            ],
          },
        }),
      );
      const listed = await target.route53.send(
        new ListResourceRecordSetsCommand({
          HostedZoneId: target.zoneId,
          StartRecordName: name,
          StartRecordType: 'A',
          MaxItems: 1,
        }),
      );
      expect(change.ChangeInfo?.Id).toEqual(expect.any(String));
      expect(listed.ResourceRecordSets?.[0]).toEqual(
        expect.objectContaining({
          Name: name,
          Type: 'A',
          TTL: 60,
          ResourceRecords: [{ Value: '203.0.113.7' }],
        }),
      );
    });

    it('Route 53: answers NoSuchHostedZone for a zone that does not exist', async () => {
      const list = new ListResourceRecordSetsCommand({ HostedZoneId: 'Z0NOSUCHZONE00' });
      expect(await errorName(target.route53.send(list))).toBe('NoSuchHostedZone');
    });
  });
}

describeWithAwsTools('local fakes and moto server give the same answers', (tools) => {
  contract('the local fakes', startFakes);
  contract('moto server', () => startMoto(tools));
});
