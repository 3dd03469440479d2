import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import type * as SecretsModule from '../../functions/lib/webhook-secrets';
import { type FailureMessage, queueMessages } from '../../local/redrive';
import { describeWithAwsTools, type RunningMoto, startMotoServer } from './tools';

/**
 * Secrets Manager and SQS have no local fake: tests stand in for them with aws-sdk-client-mock. These run the
 * project's own code for those calls (the functions' secret loading, the redrive tool's queue reading) against
 * moto server, so the answers the doubles give are checked against an independent implementation.
 */
const credentials = { accessKeyId: 'testing', secretAccessKey: 'testing' };
const region = 'us-east-1';

describeWithAwsTools('Secrets Manager and SQS calls against moto server', (tools) => {
  let moto: RunningMoto;
  let endpoint: string;

  beforeAll(async () => {
    moto = await startMotoServer(tools);
    endpoint = moto.endpoint;
  });

  afterAll(() => {
    moto?.stop();
  });

  it('reads a source secret and its previous value from the JSON secret, as the functions do', async () => {
    const secrets = new SecretsManagerClient({ endpoint, region, credentials });
    const { ARN } = await secrets.send(
      new CreateSecretCommand({
        Name: 'webhook-secrets',
        SecretString: JSON.stringify({
          github: 'current-value',
          'github.previous': 'old-value',
          gitlab: 't',
        }),
      }),
    );
    const saved = { ...process.env };
    Object.assign(process.env, {
      AWS_ENDPOINT_URL_SECRETS_MANAGER: endpoint,
      AWS_ACCESS_KEY_ID: 'testing',
      AWS_SECRET_ACCESS_KEY: 'testing',
      AWS_REGION: region,
    });
    let module: typeof SecretsModule | undefined;
    try {
      jest.isolateModules(() => {
        module = require('../../functions/lib/webhook-secrets') as typeof SecretsModule;
      });
      const env = { WEBHOOK_SECRET_ARN: ARN as string };

      expect(await module?.getSourceSecret('github', env)).toEqual({
        current: 'current-value',
        previous: 'old-value',
      });
      expect(await module?.getSourceSecret('jira', env)).toBeUndefined();
      await expect(
        module?.getSourceSecret('github', { WEBHOOK_SECRET_ARN: `${ARN as string}-missing` }),
      ).rejects.toThrow();
    } finally {
      process.env = saved;
    }
  });

  it('receives the dead-letter queue until it is empty and deletes a message by its receipt handle', async () => {
    const sqs = new SQSClient({ endpoint, region, credentials });
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'dispatcher-dlq' }));
    const queueUrl = QueueUrl as string;
    for (const body of ['x', 'y'])
      await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: body }));

    const seen: FailureMessage[] = [];
    for await (const message of queueMessages(sqs, queueUrl, 10)) seen.push(message);
    await seen.find((message) => message.body === 'y')?.remove();
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: queueUrl,
        AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
      }),
    );

    expect(seen.map((message) => message.body).sort()).toEqual(['x', 'y']);
    expect(Attributes).toEqual({
      ApproximateNumberOfMessages: '0',
      ApproximateNumberOfMessagesNotVisible: '1',
    });
  });
});
