import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { API_GATEWAY_MAX_PAYLOAD_BYTES, MAX_WEBHOOK_BODY_BYTES } from '../functions/lib/aws-limits';
import { LOCAL_ACCOUNT, LOCAL_REGION } from './names';
import type { InvokeOutcome } from './runtime/lambda';

/** API Gateway's own payload limit for REST APIs. */
export const API_GATEWAY_MAX_BODY_BYTES = API_GATEWAY_MAX_PAYLOAD_BYTES;
const LOCAL_API_ID = 'localapi01';
const RESOURCE_PATH = '/webhooks/{source}';
const ROUTE = /^\/webhooks\/([^/]+)\/?$/;

export interface Invoker {
  invoke(event: unknown): Promise<InvokeOutcome>;
}

export interface GatewayResponse {
  status: number;
  body: string;
}

export interface ApiGatewayOptions {
  authorizer: Invoker;
  ingest: Invoker;
  port: number;
  host?: string;
  stage: string;
  /** The API's BinaryMediaTypes (`*~1*` style, as in the template): matching bodies reach Lambda base64-encoded. */
  binaryMediaTypes?: readonly string[];
  /** The template's GatewayResponses (UNAUTHORIZED, ACCESS_DENIED, REQUEST_TOO_LARGE, ...). */
  gatewayResponses?: Record<string, GatewayResponse>;
  /** A failed or malformed integration (API Gateway answers 502 and logs it in its execution log). */
  onIntegrationError?: (error: unknown) => void;
  /** Called once per answered webhook request (the activity lines and the console's record). */
  onResponse?: (event: AnsweredWebhook) => void;
  /** Answers requests that are not webhooks (the local console); returns false to leave them to the API. */
  otherRoutes?: (request: IncomingMessage, response: ServerResponse) => boolean;
}

export interface AnsweredWebhook {
  source: string;
  status: number;
  body: string;
  ms: number;
  requestId: string;
  method: string;
  path: string;
  /** As received, credentials included: whoever keeps them must mask them. */
  headers: Record<string, string>;
  requestBody: Buffer;
  /** The authorizer's reason for a Deny (its policy context). */
  reason?: string;
}

export interface RunningApi {
  url: string;
  close(): Promise<void>;
}

/** API Gateway's default answers, used where the template declares no GatewayResponse of that type. */
const defaultResponses: Record<string, GatewayResponse> = {
  UNAUTHORIZED: { status: 401, body: '{"message":"Unauthorized"}' },
  ACCESS_DENIED: { status: 403, body: '{"message":"User is not authorized to access this resource"}' },
  REQUEST_TOO_LARGE: { status: 413, body: '{"message":"Request Too Long"}' },
  AUTHORIZER_FAILURE: { status: 500, body: '{"message":null}' },
  AUTHORIZER_CONFIGURATION_ERROR: { status: 500, body: '{"message":null}' },
  RESOURCE_NOT_FOUND: { status: 404, body: '{"message":"Not Found"}' },
  INTEGRATION_FAILURE: { status: 502, body: '{"message":"Internal server error"}' },
};

/**
 * Whether API Gateway hands a body of this content type to Lambda base64-encoded: it does when the type
 * matches one of the API's BinaryMediaTypes (`~1` stands for `/`, `*` for any part); otherwise it passes
 * the body as a UTF-8 string, replacing bytes that are not UTF-8.
 */
export function isBinaryMediaType(contentType: string, binaryMediaTypes: readonly string[]): boolean {
  const [type = '', subtype = ''] = (contentType.split(';')[0] ?? '').trim().toLowerCase().split('/');
  if (type === '') return false;
  return binaryMediaTypes.some((pattern) => {
    const [patternType, patternSubtype] = pattern.replace(/~1/g, '/').toLowerCase().split('/');
    return (
      (patternType === '*' || patternType === type) && (patternSubtype === '*' || patternSubtype === subtype)
    );
  });
}

/** Reads the template's GatewayResponses into status and JSON body per response type. */
export function templateGatewayResponses(
  api: Record<string, unknown> | undefined,
): Record<string, GatewayResponse> {
  const responses = (api?.GatewayResponses ?? {}) as Record<
    string,
    { StatusCode?: number | string; ResponseTemplates?: Record<string, string> }
  >;
  return Object.fromEntries(
    Object.entries(responses).map(([type, response]) => [
      type,
      {
        status: Number(response.StatusCode ?? defaultResponses[type]?.status ?? 500),
        body: response.ResponseTemplates?.['application/json'] ?? defaultResponses[type]?.body ?? '{}',
      },
    ]),
  );
}

/**
 * The `$context` variables gateway response templates may use: `$context.requestId` and the authorizer's
 * context values (`$context.authorizer.<key>`), which API Gateway fills from a Deny policy's context. Values
 * are escaped for a JSON string; an unknown variable renders empty, as in API Gateway.
 */
export function renderGatewayTemplate(
  template: string,
  requestId: string,
  authorizer: Record<string, unknown>,
): string {
  const asJsonText = (value: unknown) => JSON.stringify(String(value ?? '')).slice(1, -1);
  return template.replace(
    /\$context\.([A-Za-z]+)(?:\.([A-Za-z0-9_]+))?/g,
    (_match, name: string, key?: string) => {
      if (name === 'requestId') return asJsonText(requestId);
      if (name === 'authorizer' && key) return asJsonText(authorizer[key]);
      return '';
    },
  );
}

/** Header maps as API Gateway builds them: names as sent, `headers` keeps the last value of each. */
function headerMaps(request: IncomingMessage): {
  headers: Record<string, string>;
  multiValueHeaders: Record<string, string[]>;
} {
  const headers: Record<string, string> = {};
  const multiValueHeaders: Record<string, string[]> = {};
  const raw = request.rawHeaders;
  for (let index = 0; index + 1 < raw.length; index += 2) {
    const name = raw[index] as string;
    const value = raw[index + 1] as string;
    const existing = Object.keys(multiValueHeaders).find((key) => key.toLowerCase() === name.toLowerCase());
    const key = existing ?? name;
    headers[key] = value;
    multiValueHeaders[key] = [...(multiValueHeaders[key] ?? []), value];
  }
  return { headers, multiValueHeaders };
}

function queryMaps(url: URL) {
  if ([...url.searchParams.keys()].length === 0) {
    return { queryStringParameters: null, multiValueQueryStringParameters: null };
  }
  const single: Record<string, string> = {};
  const multi: Record<string, string[]> = {};
  for (const [name, value] of url.searchParams) {
    single[name] = value;
    multi[name] = [...(multi[name] ?? []), value];
  }
  return { queryStringParameters: single, multiValueQueryStringParameters: multi };
}

/** `09/Apr/2015:12:34:56 +0000`, API Gateway's requestTime. */
function clfTime(date: Date): string {
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const pad = (value: number) => String(value).padStart(2, '0');
  return `${pad(date.getUTCDate())}/${months[date.getUTCMonth()]}/${date.getUTCFullYear()}:${pad(
    date.getUTCHours(),
  )}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} +0000`;
}

/**
 * Does any statement of the policy with this effect cover the method ARN? Resource patterns use `*` and
 * `?` wildcards, as in IAM.
 */
function policyMatches(policy: unknown, effect: 'Allow' | 'Deny', methodArn: string): boolean {
  const statements = (policy as { Statement?: unknown } | undefined)?.Statement;
  const list = Array.isArray(statements) ? statements : statements ? [statements] : [];
  return list.some((statement: { Effect?: string; Action?: unknown; Resource?: unknown }) => {
    if (statement.Effect !== effect) return false;
    const actions = ([] as unknown[]).concat(statement.Action ?? []);
    if (
      !actions.some(
        (action) => action === '*' || action === 'execute-api:*' || action === 'execute-api:Invoke',
      )
    ) {
      return false;
    }
    return ([] as unknown[]).concat(statement.Resource ?? []).some((resource) => {
      const pattern = String(resource)
        .split('')
        .map((char) =>
          char === '*' ? '.*' : char === '?' ? '.' : char.replace(/[.+^${}()|[\]\\/]/g, '\\$&'),
        )
        .join('');
      return new RegExp(`^${pattern}$`).test(methodArn);
    });
  });
}

/** Authorizer context values reach the integration as strings, with the principal id added. */
function integrationAuthorizer(principalId: string, context: unknown): Record<string, string> {
  const values = typeof context === 'object' && context !== null ? (context as Record<string, unknown>) : {};
  return {
    ...Object.fromEntries(Object.entries(values).map(([key, value]) => [key, String(value)])),
    principalId,
  };
}

/**
 * The body, or 'too large' once it passes the limit. The rest of a too large body is read and dropped, up to
 * API Gateway's own 10 MB and a little more, so the client gets the 413 instead of a reset connection.
 */
async function readBody(request: IncomingMessage, limit: number): Promise<Buffer | 'too large'> {
  const drainLimit = API_GATEWAY_MAX_PAYLOAD_BYTES * 2;
  const declared = Number(request.headers['content-length'] ?? 0);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > drainLimit) break;
    if (size <= limit && declared <= limit) chunks.push(chunk as Buffer);
  }
  return size > limit || declared > limit ? 'too large' : Buffer.concat(chunks);
}

/**
 * Plays API Gateway (REST) for `POST /webhooks/{source}`: builds the REQUEST authorizer event (no body,
 * as API Gateway never gives one to an authorizer), honours the returned policy, then builds the Lambda
 * proxy event for the ingest function with the authorizer context and returns its response as is.
 */
export async function startApiGateway(options: ApiGatewayOptions): Promise<RunningApi> {
  const responses = { ...defaultResponses, ...options.gatewayResponses };
  const gateway = (
    response: ServerResponse,
    type: string,
    requestId: string,
    authorizer: Record<string, unknown> = {},
  ) => {
    const { status, body: template } =
      responses[type] ?? (defaultResponses.INTEGRATION_FAILURE as GatewayResponse);
    const body = renderGatewayTemplate(template, requestId, authorizer);
    response.writeHead(status, {
      'content-type': 'application/json',
      'x-amzn-requestid': requestId,
      'x-amzn-errortype': type,
    });
    response.end(body);
    return { status, body };
  };

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const started = Date.now();
    const requestId = randomUUID();
    const url = new URL(request.url ?? '/', 'http://localhost');
    const match = ROUTE.exec(url.pathname);
    if (!match && options.otherRoutes?.(request, response)) return;
    if (request.method !== 'POST' || !match) {
      gateway(response, 'RESOURCE_NOT_FOUND', requestId);
      return;
    }
    const source = decodeURIComponent(match[1] as string);
    let received: Buffer = Buffer.alloc(0);
    const report = (status: number, body: string, reason?: string) =>
      options.onResponse?.({
        source,
        status,
        body,
        ms: Date.now() - started,
        requestId,
        method: request.method ?? 'POST',
        path: url.pathname,
        headers: headerMaps(request).headers,
        requestBody: received,
        ...(reason && { reason }),
      });
    // Every body reaches Lambda base64-encoded, so Lambda's 6 MB request limit refuses bodies above
    // MAX_WEBHOOK_BODY_BYTES long before API Gateway's 10 MB; both end in the same 413 answer.
    const body = await readBody(request, MAX_WEBHOOK_BODY_BYTES);
    if (body === 'too large') {
      const answered = gateway(response, 'REQUEST_TOO_LARGE', requestId);
      report(answered.status, answered.body);
      response.on('finish', () => request.destroy());
      return;
    }

    received = body;
    const now = new Date(started);
    const sourceIp = (request.socket.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, '');
    const { headers, multiValueHeaders } = headerMaps(request);
    const forwardedFor = headers['X-Forwarded-For'] ?? headers['x-forwarded-for'];
    const added = {
      'X-Forwarded-For': forwardedFor ? `${forwardedFor}, ${sourceIp}` : sourceIp,
      'X-Forwarded-Proto': 'https',
      'X-Forwarded-Port': '443',
      'X-Amzn-Trace-Id': `Root=1-${Math.floor(started / 1000).toString(16)}-${randomUUID().replaceAll('-', '').slice(0, 24)}`,
    };
    for (const [name, value] of Object.entries(added)) {
      delete headers[name.toLowerCase()];
      delete multiValueHeaders[name.toLowerCase()];
      headers[name] = value;
      multiValueHeaders[name] = [value];
    }
    const path = url.pathname;
    const methodArn = `arn:aws:execute-api:${LOCAL_REGION}:${LOCAL_ACCOUNT}:${LOCAL_API_ID}/${options.stage}/POST${path}`;
    const requestContext = {
      resourceId: 'webhk1',
      resourcePath: RESOURCE_PATH,
      httpMethod: 'POST',
      extendedRequestId: randomUUID().slice(0, 16),
      requestTime: clfTime(now),
      path: `/${options.stage}${path}`,
      accountId: LOCAL_ACCOUNT,
      protocol: `HTTP/${request.httpVersion}`,
      stage: options.stage,
      domainPrefix: LOCAL_API_ID,
      requestTimeEpoch: started,
      requestId,
      identity: {
        cognitoIdentityPoolId: null,
        accountId: null,
        cognitoIdentityId: null,
        caller: null,
        sourceIp,
        principalOrgId: null,
        accessKey: null,
        cognitoAuthenticationType: null,
        cognitoAuthenticationProvider: null,
        userArn: null,
        userAgent: headers['User-Agent'] ?? headers['user-agent'] ?? null,
        user: null,
      },
      domainName: `${LOCAL_API_ID}.execute-api.${LOCAL_REGION}.amazonaws.com`,
      apiId: LOCAL_API_ID,
    };
    const common = {
      resource: RESOURCE_PATH,
      path,
      httpMethod: 'POST',
      headers,
      multiValueHeaders,
      ...queryMaps(url),
      pathParameters: { source },
      stageVariables: null,
    };

    const authorization = await options.authorizer.invoke({
      type: 'REQUEST',
      methodArn,
      ...common,
      requestContext,
    });
    if (!authorization.ok) {
      // API Gateway maps a thrown "Unauthorized" to 401; any other authorizer error is a 500.
      const type =
        authorization.error.errorMessage === 'Unauthorized' ? 'UNAUTHORIZED' : 'AUTHORIZER_FAILURE';
      const answered = gateway(response, type, requestId);
      report(answered.status, answered.body);
      return;
    }
    const policy = authorization.payload as {
      principalId?: unknown;
      policyDocument?: unknown;
      context?: unknown;
    };
    if (typeof policy?.principalId !== 'string' || typeof policy.policyDocument !== 'object') {
      const answered = gateway(response, 'AUTHORIZER_CONFIGURATION_ERROR', requestId);
      report(answered.status, answered.body);
      return;
    }
    if (
      policyMatches(policy.policyDocument, 'Deny', methodArn) ||
      !policyMatches(policy.policyDocument, 'Allow', methodArn)
    ) {
      const context = (policy.context ?? {}) as Record<string, unknown>;
      const answered = gateway(response, 'ACCESS_DENIED', requestId, context);
      report(answered.status, answered.body, typeof context.reason === 'string' ? context.reason : undefined);
      return;
    }

    const contentType = headers['Content-Type'] ?? headers['content-type'] ?? '';
    const isText = !isBinaryMediaType(contentType, options.binaryMediaTypes ?? []);
    const integration = await options.ingest.invoke({
      ...common,
      requestContext: {
        ...requestContext,
        authorizer: { ...integrationAuthorizer(policy.principalId, policy.context), integrationLatency: 0 },
      },
      body: body.length === 0 ? null : isText ? body.toString('utf8') : body.toString('base64'),
      isBase64Encoded: body.length > 0 && !isText,
    });
    const result = integration.ok
      ? (integration.payload as {
          statusCode?: unknown;
          headers?: Record<string, string>;
          multiValueHeaders?: Record<string, string[]>;
          body?: unknown;
          isBase64Encoded?: boolean;
        })
      : undefined;
    if (!result || typeof result.statusCode !== 'number') {
      options.onIntegrationError?.(
        integration.ok
          ? new Error(`ingest returned a malformed proxy response: ${JSON.stringify(result).slice(0, 200)}`)
          : new Error(`ingest failed: ${integration.error.errorType}: ${integration.error.errorMessage}`),
      );
      // A failed invocation or a malformed proxy response: API Gateway answers 502.
      const answered = gateway(response, 'INTEGRATION_FAILURE', requestId);
      report(answered.status, answered.body);
      return;
    }
    const text = typeof result.body === 'string' ? result.body : '';
    response.writeHead(result.statusCode, {
      ...result.multiValueHeaders,
      ...result.headers,
      'x-amzn-requestid': requestId,
    });
    response.end(result.isBase64Encoded ? Buffer.from(text, 'base64') : text);
    report(result.statusCode, text);
  }

  const server: Server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (!response.headersSent) gateway(response, 'INTEGRATION_FAILURE', randomUUID());
      console.error('local API Gateway:', error);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
        setTimeout(() => server.closeAllConnections(), 2000).unref();
      }),
  };
}
