import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { isSourceId, SOURCES } from '../functions/lib/sources';
import { authorizerEvent, proxyEvent } from '../local/api-gateway-events';
import { allCredentialHeaderNames, credentialHeaders } from '../local/credentials';
import { DEV_SECRETS } from '../local/dev-secrets';
import { projectRoot } from '../local/template';

/**
 * Re-signs the API Gateway fixtures with the development secrets (local/dev-secrets.ts) and derives each
 * authorizer fixture from its ingest twin. events/ingest/*.json are the source of truth for bodies and
 * sender headers: edit or add one there, then run `npx tsx scripts/make-edge-fixtures.ts`.
 * Fixtures of timestamped sources (ddns) carry the time of the run, so they verify only for its window.
 */

const ingestDir = join(projectRoot, 'events', 'ingest');
const authorizerDir = join(projectRoot, 'events', 'authorizer');
const fixedTime = new Date('2026-01-15T10:21:05Z');

const credentialHeaderNames = allCredentialHeaderNames();

/** Fixtures that are wrong on purpose, for the rejection paths. */
const deliberatelyBroken: Record<string, (body: Buffer) => Record<string, string>> = {
  'github-wrong-signature': (body) => credentialHeaders('github', body, 'not-the-development-secret'),
  'github-missing-signature': () => ({}),
};

function senderHeaders(event: APIGatewayProxyEvent): Record<string, string> {
  const gatewayAdded = new Set([
    'host',
    'x-amzn-trace-id',
    'x-forwarded-for',
    'x-forwarded-port',
    'x-forwarded-proto',
  ]);
  return Object.fromEntries(
    Object.entries(event.headers).filter(
      (entry): entry is [string, string] =>
        entry[1] !== undefined &&
        !credentialHeaderNames.has(entry[0].toLowerCase()) &&
        !gatewayAdded.has(entry[0].toLowerCase()),
    ),
  );
}

function resign(file: string): void {
  const name = basename(file, '.json');
  const event = JSON.parse(readFileSync(file, 'utf8')) as APIGatewayProxyEvent;
  const source = event.pathParameters?.source ?? '';
  const body = Buffer.from(event.body ?? '', event.isBase64Encoded ? 'base64' : 'utf8');
  const time =
    isSourceId(source) && SOURCES[source].auth.kind === 'timestamped-hmac' ? new Date() : fixedTime;
  const broken = deliberatelyBroken[name];
  const credentials = broken
    ? broken(body)
    : isSourceId(source)
      ? credentialHeaders(source, body, DEV_SECRETS[source], time)
      : {};
  const call = {
    source,
    headers: { ...senderHeaders(event), ...credentials },
    sourceIp: event.requestContext.identity.sourceIp,
    time,
  };
  const ingest = proxyEvent({
    ...call,
    body: event.body ?? '',
    isBase64Encoded: event.isBase64Encoded,
    authorizedSource: source,
  });
  writeFileSync(file, `${JSON.stringify(ingest, null, 2)}\n`);
  writeFileSync(join(authorizerDir, `${name}.json`), `${JSON.stringify(authorizerEvent(call), null, 2)}\n`);
}

if (require.main === module) {
  const files = readdirSync(ingestDir).filter((file) => file.endsWith('.json'));
  for (const file of files) resign(join(ingestDir, file));
  console.log(`signed ${files.length} ingest fixtures and wrote their authorizer twins`);
}
