import { randomUUID } from 'node:crypto';
import { isSourceId, type SourceId } from '../functions/lib/envelope';
import { credentialHeaders } from '../functions/lib/sources/sign';
import { localSecret } from './dev-secrets';

/** Headers a sender never sets itself (API Gateway or the HTTP client adds them) or that carry credentials. */
const DROPPED = new Set([
  'host',
  'content-length',
  'connection',
  'x-amzn-trace-id',
  'x-forwarded-for',
  'x-forwarded-port',
  'x-forwarded-proto',
  'x-hub-signature-256',
  'x-hub-signature',
  'x-gitlab-token',
  'authorization',
  'x-webhook-token',
  'x-timestamp',
  'x-signature-256',
]);

/** The header each provider names its delivery id in (ddns carries it in the body's `uuid`). */
const DELIVERY_HEADER: Record<Exclude<SourceId, 'ddns'>, string> = {
  github: 'X-GitHub-Delivery',
  gitlab: 'Idempotency-Key',
  bitbucket: 'X-Request-UUID',
  jira: 'X-Atlassian-Webhook-Identifier',
  servicenow: 'X-Webhook-Id',
  rally: 'X-Webhook-Id',
};

const USER_AGENT: Record<SourceId, string> = {
  github: 'GitHub-Hookshot/local',
  gitlab: 'GitLab/17.6.0',
  bitbucket: 'Bitbucket-Webhooks/2.0',
  jira: 'Atlassian Webhook HTTP Client',
  servicenow: 'ServiceNow/1.0',
  rally: 'Rally-Pigeon/2.0',
  ddns: 'webhook-ddns-client/local',
};

export interface WebhookRequest {
  source: SourceId;
  headers: Record<string, string>;
  body: Buffer;
  /** The delivery id the request carries (the envelope's id once accepted). */
  deliveryId: string;
}

export interface SignOptions {
  source: SourceId;
  body: Buffer;
  /** Headers to keep (from a fixture); credentials and proxy headers among them are replaced. */
  headers?: Record<string, string>;
  /** The event type header's value where the source takes it from a header. */
  event?: string;
  /** Keep the delivery id the headers or body already carry instead of a new one (a redelivery). */
  keepDeliveryId?: boolean;
  env?: NodeJS.ProcessEnv;
  now?: Date;
}

/** The GitLab event header value for a payload's object_kind (event_name for system hooks). */
function gitlabEvent(payload: Record<string, unknown>): string | undefined {
  if (typeof payload.event_name === 'string' && payload.object_kind === undefined) return 'System Hook';
  const kinds: Record<string, string> = {
    push: 'Push Hook',
    tag_push: 'Tag Push Hook',
    merge_request: 'Merge Request Hook',
    issue: 'Issue Hook',
    note: 'Note Hook',
    pipeline: 'Pipeline Hook',
    build: 'Job Hook',
    wiki_page: 'Wiki Page Hook',
    deployment: 'Deployment Hook',
    release: 'Release Hook',
  };
  return kinds[String(payload.object_kind)];
}

/** The GitHub event a payload most likely belongs to, judged by its top-level keys (first match wins). */
export function guessGithubEvent(payload: Record<string, unknown>): string | undefined {
  const byKey: [string, string][] = [
    ['zen', 'ping'],
    ['pusher', 'push'],
    ['pull_request', 'pull_request'],
    ['comment', 'issue_comment'],
    ['issue', 'issues'],
    ['release', 'release'],
    ['workflow_job', 'workflow_job'],
    ['workflow_run', 'workflow_run'],
    ['check_run', 'check_run'],
    ['check_suite', 'check_suite'],
    ['deployment_status', 'deployment_status'],
    ['deployment', 'deployment'],
    ['alert', 'code_scanning_alert'],
    ['rule', 'branch_protection_rule'],
    ['key', 'deploy_key'],
    ['member', 'member'],
    ['ref_type', 'create'],
    ['forkee', 'fork'],
    ['starred_at', 'star'],
  ];
  const match = byKey.find(([key]) => key in payload);
  if (match) return match[1];
  return 'repository' in payload && typeof payload.action === 'string' ? 'repository' : undefined;
}

function parseJson(body: Buffer): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(body.toString('utf8'));
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function headerValue(headers: Record<string, string>, name: string): string | undefined {
  const key = Object.keys(headers).find((candidate) => candidate.toLowerCase() === name.toLowerCase());
  return key === undefined ? undefined : headers[key];
}

function setHeader(headers: Record<string, string>, name: string, value: string): void {
  for (const key of Object.keys(headers)) if (key.toLowerCase() === name.toLowerCase()) delete headers[key];
  headers[name] = value;
}

/**
 * A webhook request as the provider would send it, signed with the local secret of its source
 * (WEBHOOK_SECRET_<SOURCE> or the development value): credential headers per the source's rules, the
 * event type header where the source has one, and a fresh delivery id unless told to keep it.
 */
export function signWebhook(options: SignOptions): WebhookRequest {
  const { source } = options;
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(options.headers ?? {})) {
    if (!DROPPED.has(name.toLowerCase())) headers[name] = value;
  }
  if (!headerValue(headers, 'content-type')) headers['Content-Type'] = 'application/json';
  if (!headerValue(headers, 'user-agent')) headers['User-Agent'] = USER_AGENT[source];
  let body = options.body;
  const payload = parseJson(body);

  if (source === 'github' || source === 'gitlab' || source === 'bitbucket') {
    const name = { github: 'X-GitHub-Event', gitlab: 'X-Gitlab-Event', bitbucket: 'X-Event-Key' }[source];
    const guessed =
      source === 'github'
        ? payload && guessGithubEvent(payload)
        : source === 'gitlab'
          ? payload && gitlabEvent(payload)
          : payload && 'push' in payload
            ? 'repo:push'
            : undefined;
    const event = options.event ?? headerValue(headers, name) ?? guessed;
    if (!event) throw new Error(`cannot tell the ${source} event type of this payload: pass --event <type>`);
    setHeader(headers, name, event);
  }

  let deliveryId: string;
  if (source === 'ddns') {
    const current = typeof payload?.uuid === 'string' ? payload.uuid : undefined;
    deliveryId = options.keepDeliveryId && current ? current : randomUUID();
    if (deliveryId !== current) {
      if (!payload) throw new Error('a ddns request body must be a JSON object');
      body = Buffer.from(JSON.stringify({ ...payload, uuid: deliveryId }));
    }
  } else {
    const name = DELIVERY_HEADER[source];
    const current = headerValue(headers, name);
    deliveryId = options.keepDeliveryId && current ? current : randomUUID();
    setHeader(headers, name, deliveryId);
  }

  const secret = localSecret(source, options.env ?? process.env);
  Object.assign(headers, credentialHeaders(source, body, secret, options.now ?? new Date()));
  return { source, headers, body, deliveryId };
}

/** An API Gateway proxy event fixture (events/<function>/<case>.json) as the request that produced it. */
export function fromProxyEvent(event: Record<string, unknown>): {
  source: SourceId;
  headers: Record<string, string>;
  body: Buffer;
} {
  const source = (event.pathParameters as { source?: string } | null)?.source;
  if (!isSourceId(source))
    throw new Error(`the fixture's pathParameters.source "${source}" is not a known source`);
  const text = typeof event.body === 'string' ? event.body : '';
  return {
    source,
    headers: { ...(event.headers as Record<string, string> | null) },
    body: Buffer.from(text, event.isBase64Encoded === true ? 'base64' : 'utf8'),
  };
}

/** Posts a webhook request to the local (or any) API and returns the answer. */
export async function postWebhook(
  baseUrl: string,
  request: Pick<WebhookRequest, 'source' | 'headers' | 'body'>,
): Promise<{ status: number; body: string }> {
  const response = await fetch(`${baseUrl.replace(/\/$/, '')}/webhooks/${request.source}`, {
    method: 'POST',
    headers: request.headers,
    body: request.body,
  });
  return { status: response.status, body: await response.text() };
}
