import type { Envelope } from '../../functions/lib/envelope';

/** Real GitHub payloads (@octokit/webhooks-examples) and the envelopes ingest builds around them. */

export type Payload = Record<string, unknown>;
interface OctokitExample {
  name: string;
  examples: Payload[];
}
export const octokitExamples = require('@octokit/webhooks-examples') as OctokitExample[];

/** A copy (tests may change it) of the first example of event `name` that `pick` accepts. */
export function octokitExample(
  name: string,
  pick: (payload: Payload, index: number) => boolean = () => true,
): Payload {
  const example = octokitExamples.find((entry) => entry.name === name)?.examples.find(pick);
  if (!example) throw new Error(`@octokit/webhooks-examples has no matching ${name} example`);
  return structuredClone(example);
}

/** The envelope ingest builds for a GitHub delivery of event `type` with this payload. */
export function githubEnvelope(
  type: string,
  payload: Payload,
  id: string,
  meta: Record<string, string> = {},
): Envelope {
  const repository = payload.repository as { full_name?: string } | undefined;
  const organization = payload.organization as { login?: string } | undefined;
  return {
    id,
    source: 'github',
    type,
    ...(typeof payload.action === 'string' ? { action: payload.action } : {}),
    subject: repository?.full_name ?? organization?.login ?? '-',
    receivedAt: '2026-05-04T09:00:00.000Z',
    payload,
    meta,
  };
}
