import { credentialHeaders } from '../local/credentials';
import { DEV_SECRETS } from '../local/dev-secrets';

interface ExampleGroup {
  name: string;
  examples: Record<string, unknown>[];
}

export interface HotPathSample {
  label: string;
  event: string;
  body: Buffer;
  /** The sender's headers, signed with the development secret. */
  headers: Record<string, string>;
}

/** Real GitHub payloads nearest 1 KB and 25 KB, and a real push grown to 1 MB by repeating its commits. */
export function hotPathSamples(): HotPathSample[] {
  const groups = require('@octokit/webhooks-examples') as ExampleGroup[];
  const all = groups.flatMap(({ name, examples }) =>
    examples.map((example) => ({ event: name, body: JSON.stringify(example) })),
  );
  const nearest = (bytes: number) =>
    all.reduce((best, item) =>
      Math.abs(item.body.length - bytes) < Math.abs(best.body.length - bytes) ? item : best,
    );
  const push = groups
    .find(({ name }) => name === 'push')
    ?.examples.find((example) => Array.isArray(example.commits) && example.commits.length > 0);
  if (!push) throw new Error('no push example with commits');
  const commits = push.commits as unknown[];
  const grown = { ...push, commits: [...commits] };
  while (JSON.stringify(grown).length < 1024 * 1024) grown.commits.push(...commits);
  const samples = [
    { label: '1 KB', ...nearest(1024) },
    { label: '25 KB', ...nearest(25 * 1024) },
    { label: '1 MB', event: 'push', body: JSON.stringify(grown) },
  ];
  return samples.map(({ label, event, body }) => ({
    label,
    event,
    body: Buffer.from(body),
    headers: {
      'Content-Type': 'application/json',
      'User-Agent': 'GitHub-Hookshot/044aadd',
      'X-GitHub-Event': event,
      'X-GitHub-Delivery': '72d3162e-cc78-11e3-81ab-4c9367dc0958',
      'X-GitHub-Hook-ID': '292201938',
      ...credentialHeaders('github', body, DEV_SECRETS.github),
    },
  }));
}
