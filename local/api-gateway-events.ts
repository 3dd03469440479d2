import type { APIGatewayProxyEvent, APIGatewayRequestAuthorizerEvent, Context } from 'aws-lambda';

/**
 * The events API Gateway (REST, `POST /{stage}/webhooks/{source}`) hands to the authorizer and to the
 * ingest integration, with the fields it really fills in. Used by the fixture generator, the tests and the benchmarks.
 */
export interface WebhookCall {
  source: string;
  /** Sender's headers, in the sender's casing. */
  headers: Record<string, string>;
  body: string;
  isBase64Encoded?: boolean;
  sourceIp?: string;
  /** The authorizer context the integration receives; omitted when not authorized (sam local invoke). */
  authorizedSource?: string;
  time?: Date;
}

const apiId = 'a1b2c3d4e5';
const stage = 'dev';
const accountId = '123456789012';

function gatewayHeaders(call: WebhookCall): Record<string, string> {
  return {
    Host: `${apiId}.execute-api.us-east-1.amazonaws.com`,
    'X-Amzn-Trace-Id': 'Root=1-67891233-abcdef012345678912345678',
    'X-Forwarded-For': call.sourceIp ?? '140.82.115.10',
    'X-Forwarded-Port': '443',
    'X-Forwarded-Proto': 'https',
    ...call.headers,
  };
}

function multiValue(headers: Record<string, string>): Record<string, string[]> {
  return Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, [value]]));
}

function requestContext(call: WebhookCall) {
  const time = call.time ?? new Date();
  return {
    accountId,
    apiId,
    domainName: `${apiId}.execute-api.us-east-1.amazonaws.com`,
    domainPrefix: apiId,
    extendedRequestId: 'KxE2aFpUIAMEbXg=',
    httpMethod: 'POST',
    identity: {
      accessKey: null,
      accountId: null,
      apiKey: null,
      apiKeyId: null,
      caller: null,
      clientCert: null,
      cognitoAuthenticationProvider: null,
      cognitoAuthenticationType: null,
      cognitoIdentityId: null,
      cognitoIdentityPoolId: null,
      principalOrgId: null,
      sourceIp: call.sourceIp ?? '140.82.115.10',
      user: null,
      userAgent: call.headers['User-Agent'] ?? null,
      userArn: null,
    },
    path: `/${stage}/webhooks/${call.source}`,
    protocol: 'HTTP/1.1',
    requestId: 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef',
    requestTime: time.toUTCString(),
    requestTimeEpoch: time.getTime(),
    resourceId: 'x1y2z3',
    resourcePath: '/webhooks/{source}',
    stage,
  };
}

export function proxyEvent(call: WebhookCall): APIGatewayProxyEvent {
  const headers = gatewayHeaders(call);
  return {
    resource: '/webhooks/{source}',
    path: `/webhooks/${call.source}`,
    httpMethod: 'POST',
    headers,
    multiValueHeaders: multiValue(headers),
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    pathParameters: { source: call.source },
    stageVariables: null,
    requestContext: {
      ...requestContext(call),
      authorizer:
        call.authorizedSource === undefined
          ? null
          : { source: call.authorizedSource, principalId: call.authorizedSource, integrationLatency: 3 },
    },
    body: call.body,
    isBase64Encoded: call.isBase64Encoded ?? false,
  } as APIGatewayProxyEvent;
}

/** A REQUEST authorizer sees headers, path and caller address, never the body. */
export function authorizerEvent(call: Omit<WebhookCall, 'body'>): APIGatewayRequestAuthorizerEvent {
  const headers = gatewayHeaders({ ...call, body: '' });
  return {
    type: 'REQUEST',
    methodArn: `arn:aws:execute-api:us-east-1:${accountId}:${apiId}/${stage}/POST/webhooks/${call.source}`,
    resource: '/webhooks/{source}',
    path: `/webhooks/${call.source}`,
    httpMethod: 'POST',
    headers,
    multiValueHeaders: multiValue(headers),
    queryStringParameters: {},
    multiValueQueryStringParameters: {},
    pathParameters: { source: call.source },
    stageVariables: {},
    requestContext: requestContext({ ...call, body: '' }),
  } as unknown as APIGatewayRequestAuthorizerEvent;
}

/** The parts of a Lambda context the Powertools middlewares read. */
export function lambdaContext(functionName = 'webhook-test'): Context {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:${accountId}:function:${functionName}`,
    memoryLimitInMB: '512',
    awsRequestId: 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef',
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: '2026/01/01/[$LATEST]abcdef',
    getRemainingTimeInMillis: () => 10_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
