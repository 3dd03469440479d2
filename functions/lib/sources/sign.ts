import { createHmac } from 'node:crypto';
import type { SourceId } from '../envelope';

/**
 * The credential headers a sender attaches for each source: what GitHub, Bitbucket, Jira, GitLab and the
 * dynamic-DNS client do, for fixtures, tests, `npm run send` and the ddns client. `secret` is the raw
 * value (for servicenow "user:password").
 */
export function credentialHeaders(
  source: SourceId,
  body: Buffer | string,
  secret: string,
  now: Date = new Date(),
): Record<string, string> {
  const hmac = (...parts: (Buffer | string)[]) => {
    const mac = createHmac('sha256', secret);
    for (const part of parts) mac.update(part);
    return `sha256=${mac.digest('hex')}`;
  };
  switch (source) {
    case 'github':
      return { 'X-Hub-Signature-256': hmac(body) };
    case 'bitbucket':
    case 'jira':
      return { 'X-Hub-Signature': hmac(body) };
    case 'gitlab':
      return { 'X-Gitlab-Token': secret };
    case 'servicenow':
      return { Authorization: `Basic ${Buffer.from(secret).toString('base64')}` };
    case 'rally':
      return { 'X-Webhook-Token': secret };
    case 'ddns': {
      const timestamp = String(Math.floor(now.getTime() / 1000));
      return { 'X-Timestamp': timestamp, 'X-Signature-256': hmac(`${timestamp}.`, body) };
    }
  }
}
