import { LAMBDA_SYNC_MAX_REQUEST_BYTES, MAX_WEBHOOK_BODY_BYTES } from '../../functions/lib/aws-limits';
import {
  type Invoker,
  isBinaryMediaType,
  type RunningApi,
  renderGatewayTemplate,
  startApiGateway,
  templateGatewayResponses,
} from '../../local/api-gateway';
import type { InvokeOutcome } from '../../local/runtime/lambda';
import { loadTemplate } from '../../local/template';

// The player's side of the contract with the real authorizer and ingest functions: the events API Gateway
// (REST, Lambda REQUEST authorizer, Lambda proxy integration) builds, and how it answers for each outcome.

const allow = (context: Record<string, unknown> = { source: 'github' }): InvokeOutcome => ({
  ok: true,
  payload: {
    principalId: 'github',
    policyDocument: {
      Version: '2012-10-17',
      Statement: [
        {
          Action: 'execute-api:Invoke',
          Effect: 'Allow',
          Resource: 'arn:aws:execute-api:*:*:*/*/POST/webhooks/*',
        },
      ],
    },
    context,
  },
});

class Recorder implements Invoker {
  readonly events: Record<string, unknown>[] = [];
  constructor(private readonly answer: InvokeOutcome) {}
  async invoke(event: unknown): Promise<InvokeOutcome> {
    this.events.push(event as Record<string, unknown>);
    return this.answer;
  }
}

const accepted: InvokeOutcome = {
  ok: true,
  payload: { statusCode: 202, headers: { 'content-type': 'application/json' }, body: '{"id":"x"}' },
};
const gatewayResponses = templateGatewayResponses(loadTemplate().Resources.WebhookApi?.Properties);

describe('the local API Gateway player', () => {
  let api: RunningApi | undefined;

  async function start(
    authorizer: Invoker,
    ingest: Invoker,
    binaryMediaTypes: string[] = [],
  ): Promise<string> {
    api = await startApiGateway({
      authorizer,
      ingest,
      port: 0,
      stage: 'dev',
      gatewayResponses,
      binaryMediaTypes,
    });
    return api.url;
  }

  afterEach(async () => {
    await api?.close();
  });

  it('gives the authorizer a REQUEST event without the body and the integration a proxy event with it', async () => {
    // Prepare
    const authorizer = new Recorder(allow({ source: 'github', verified: true }));
    const ingest = new Recorder(accepted);
    const url = await start(authorizer, ingest);
    const body = JSON.stringify({ zen: 'Keep it logically awesome.', hook_id: 1 });

    // Act
    const response = await fetch(`${url}/webhooks/github?attempt=1`, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        'X-GitHub-Event': 'ping',
        'X-Hub-Signature-256': 'sha256=00',
      },
      body,
    });

    // Assert
    expect(response.status).toBe(202);
    expect(await response.text()).toBe('{"id":"x"}');
    const request = authorizer.events[0] as Record<string, unknown>;
    expect(request).toMatchObject({
      type: 'REQUEST',
      resource: '/webhooks/{source}',
      path: '/webhooks/github',
      httpMethod: 'POST',
      pathParameters: { source: 'github' },
      queryStringParameters: { attempt: '1' },
      headers: expect.objectContaining({ 'X-GitHub-Event': 'ping', 'X-Hub-Signature-256': 'sha256=00' }),
      multiValueHeaders: expect.objectContaining({ 'X-GitHub-Event': ['ping'] }),
      requestContext: expect.objectContaining({
        stage: 'dev',
        identity: expect.objectContaining({ sourceIp: '127.0.0.1' }),
      }),
    });
    expect(String(request.methodArn)).toMatch(
      /^arn:aws:execute-api:us-east-1:\d{12}:\w+\/dev\/POST\/webhooks\/github$/,
    );
    expect(request).not.toHaveProperty('body');
    expect(ingest.events[0]).toMatchObject({
      body,
      isBase64Encoded: false,
      requestContext: expect.objectContaining({
        authorizer: expect.objectContaining({ principalId: 'github', source: 'github', verified: 'true' }),
      }),
    });
  });

  it('base64-encodes bodies whose content type is a binary media type, as the template declares', async () => {
    // Prepare
    const ingest = new Recorder(accepted);
    const binaryMediaTypes = loadTemplate().Resources.WebhookApi?.Properties?.BinaryMediaTypes as string[];
    const url = await start(new Recorder(allow()), ingest, binaryMediaTypes);
    const bytes = Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0x22, 0x7d]); // {"a":"<0xff>"}

    // Act
    await fetch(`${url}/webhooks/gitlab`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: bytes,
    });

    // Assert
    expect(ingest.events[0]).toMatchObject({ body: bytes.toString('base64'), isBase64Encoded: true });
  });

  it.each([
    ['application/json', ['*~1*'], true],
    ['application/json; charset=utf-8', ['application~1json'], true],
    ['application/x-www-form-urlencoded', ['image~1*'], false],
    ['', ['*~1*'], false],
    ['text/plain', [], false],
  ])('treats %j with binary media types %j as binary: %s', (contentType, types, binary) => {
    expect(isBinaryMediaType(contentType, types)).toBe(binary);
  });

  it.each([
    [
      'a Deny policy with its reason',
      { ...allow(), payload: denyPayload({ reason: 'X-Gitlab-Token does not match' }) } as InvokeOutcome,
      403,
      '{"error":"forbidden","message":"X-Gitlab-Token does not match"}',
    ],
    [
      'a thrown "Unauthorized"',
      { ok: false, error: { errorType: 'Error', errorMessage: 'Unauthorized' } } as InvokeOutcome,
      401,
      gatewayResponses.UNAUTHORIZED?.body,
    ],
    [
      'any other authorizer error',
      { ok: false, error: { errorType: 'TypeError', errorMessage: 'boom' } } as InvokeOutcome,
      500,
      undefined,
    ],
  ])('answers %s like API Gateway, without calling the integration', async (_, decision, status, body) => {
    // Prepare
    const ingest = new Recorder(accepted);
    const url = await start(new Recorder(decision), ingest);

    // Act
    const response = await fetch(`${url}/webhooks/github`, { method: 'POST', body: '{}' });

    // Assert
    expect(response.status).toBe(status);
    if (body) expect(await response.text()).toBe(body);
    expect(ingest.events).toHaveLength(0);
  });

  it('renders $context.authorizer values JSON-escaped and an unknown variable as empty, as API Gateway does', () => {
    const template = '{"message":"$context.authorizer.reason","id":"$context.requestId","x":"$context.nope"}';

    const body = renderGatewayTemplate(template, 'req-1', { reason: 'a "quoted" reason' });

    expect(JSON.parse(body)).toEqual({ message: 'a "quoted" reason', id: 'req-1', x: '' });
  });

  it('answers 502 when the integration fails or returns no proxy response', async () => {
    // Prepare
    const url = await start(new Recorder(allow()), new Recorder({ ok: true, payload: { hello: 'world' } }));

    // Act
    const response = await fetch(`${url}/webhooks/github`, { method: 'POST', body: '{}' });

    // Assert
    expect(response.status).toBe(502);
    expect(await response.json()).toEqual({ message: 'Internal server error' });
  });

  it.each([
    ["just above what a base64-encoded event leaves of Lambda's 6 MB", MAX_WEBHOOK_BODY_BYTES + 1],
    ["above API Gateway's own 10 MB (11 MiB)", 11 * 1024 * 1024],
  ])('answers 413 with a JSON reason for a body %s, never a reset connection', async (_what, bytes) => {
    // Prepare
    const ingest = new Recorder(accepted);
    const url = await start(new Recorder(allow()), ingest, ['*~1*']);

    // Act
    const response = await fetch(`${url}/webhooks/github`, {
      method: 'POST',
      body: Buffer.alloc(bytes, 0x20),
    });

    // Assert
    expect(response.status).toBe(413);
    expect(JSON.parse(await response.text())).toEqual(
      expect.objectContaining({ error: 'payload_too_large' }),
    );
    expect(ingest.events).toHaveLength(0);
  });

  it("passes the largest body a webhook may have to ingest, base64-encoded within Lambda's 6 MB", async () => {
    const ingest = new Recorder(accepted);
    const url = await start(new Recorder(allow()), ingest, ['*~1*']);

    const response = await fetch(`${url}/webhooks/github`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: Buffer.alloc(MAX_WEBHOOK_BODY_BYTES, 0x20),
    });

    expect(response.status).toBe(202);
    const event = ingest.events[0] as { body: string; isBase64Encoded: boolean };
    expect(event.isBase64Encoded).toBe(true);
    expect(Buffer.byteLength(JSON.stringify(event))).toBeLessThanOrEqual(LAMBDA_SYNC_MAX_REQUEST_BYTES);
  });
});

function denyPayload(context?: Record<string, string>) {
  return {
    principalId: 'anonymous',
    ...(context && { context }),
    policyDocument: {
      Version: '2012-10-17',
      Statement: [{ Action: 'execute-api:Invoke', Effect: 'Deny', Resource: '*' }],
    },
  };
}
