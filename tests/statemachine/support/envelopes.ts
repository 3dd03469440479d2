import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Envelope, parseEnvelope } from '../../../functions/lib/envelope';
import {
  octokitExample,
  octokitExamples,
  type Payload,
  githubEnvelope as sharedGithubEnvelope,
} from '../../support/github-examples';

/**
 * Envelopes as ingest builds them (see the design's envelope table), around the real GitHub payloads of
 * @octokit/webhooks-examples and the shared fixtures in events/.
 */

export type { Payload } from '../../support/github-examples';
export { octokitExamples };

export const projectRoot = join(__dirname, '..', '..', '..');

/** A delivery-id-like UUID that is the same on every run, so fixtures and assertions are stable. */
export function stableUuid(seed: string): string {
  const hex = createHash('sha256').update(seed).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** The real example `index` of GitHub event `name` (a copy: tests may change it). */
export function octokitPayload(name: string, index: number): Payload {
  return octokitExample(name, (_payload, at) => at === index);
}

/** The envelope ingest builds for a GitHub delivery of event `type` with this payload. */
export function githubEnvelope(
  type: string,
  payload: Payload,
  id = stableUuid(JSON.stringify(payload)),
): Envelope {
  return sharedGithubEnvelope(type, payload, id, {
    hookId: '292201938',
    userAgent: 'GitHub-Hookshot/3c4a9c5',
  });
}

/** The same delivery after ingest stored its body in S3: the envelope carries only the reference. */
export function claimChecked(envelope: Envelope): Envelope {
  const body = Buffer.from(JSON.stringify(envelope.payload));
  const { payload: _stored, ...rest } = envelope;
  return {
    ...rest,
    payloadRef: {
      bucket: 'webhook-payloads',
      key: `${envelope.source}/${envelope.id}.json`,
      bytes: body.length,
      sha256: createHash('sha256').update(body).digest('hex'),
    },
  };
}

/** A shared envelope fixture from events/ (real shapes, also used by `sam local invoke -e`). */
export function envelopeFixture(relativePath: string): Envelope {
  return parseEnvelope(JSON.parse(readFileSync(join(projectRoot, 'events', relativePath), 'utf8')));
}
