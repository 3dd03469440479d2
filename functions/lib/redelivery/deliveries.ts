import type { GitHubClient } from '../clients/github';
import type { HookTarget } from './hooks';

/** One attempt to deliver an event to a webhook (GitHub's "hook delivery item"); redeliveries share the guid. */
export interface DeliveryAttempt {
  /** Decimal string: GitHub's delivery ids are int64 and only grow. */
  id: string;
  guid: string;
  deliveredAt: number;
  redelivery: boolean;
  statusCode: number;
  status: string;
  event: string;
  action: string | null;
}

interface HookDeliveryItem {
  id: number | bigint;
  guid: string;
  delivered_at: string;
  redelivery: boolean;
  status: string;
  status_code: number;
  event: string;
  action: string | null;
}

/** GitHub answered 2xx; "OK" is GitHub's own word for it, kept as a second signal. */
export function succeeded(attempt: DeliveryAttempt): boolean {
  return (attempt.statusCode >= 200 && attempt.statusCode < 300) || attempt.status === 'OK';
}

export function compareIds(a: string, b: string): number {
  const diff = BigInt(a) - BigInt(b);
  return diff === 0n ? 0 : diff > 0n ? 1 : -1;
}

function toAttempt(item: HookDeliveryItem): DeliveryAttempt {
  return {
    id: item.id.toString(),
    guid: item.guid,
    deliveredAt: Date.parse(item.delivered_at),
    redelivery: item.redelivery,
    statusCode: item.status_code,
    status: item.status,
    event: item.event,
    action: item.action ?? null,
  };
}

const PER_PAGE = 100;

/**
 * The hook's deliveries page by page, newest first, following the `cursor` links GitHub returns in the
 * Link header. The caller stops iterating once it has seen enough.
 */
export async function* deliveryPages(
  client: GitHubClient,
  hook: HookTarget,
): AsyncGenerator<DeliveryAttempt[]> {
  const pages: AsyncIterable<{ data: HookDeliveryItem[] }> =
    hook.kind === 'app'
      ? client.paginate.iterator('GET /app/hook/deliveries', { per_page: PER_PAGE })
      : hook.kind === 'org'
        ? client.paginate.iterator('GET /orgs/{org}/hooks/{hook_id}/deliveries', {
            org: hook.org,
            hook_id: hook.hookId,
            per_page: PER_PAGE,
          })
        : client.paginate.iterator('GET /repos/{owner}/{repo}/hooks/{hook_id}/deliveries', {
            owner: hook.owner,
            repo: hook.repo,
            hook_id: hook.hookId,
            per_page: PER_PAGE,
          });
  for await (const page of pages) yield page.data.map(toAttempt);
}

/** Asks GitHub to deliver the attempt's event again (202 Accepted; the new attempt shows up in the list). */
export async function redeliver(client: GitHubClient, hook: HookTarget, deliveryId: string): Promise<void> {
  if (!/^\d+$/.test(deliveryId)) throw new Error(`not a delivery id: ${deliveryId}`);
  // The id goes into the path literally: it is int64 and may not fit a JavaScript number.
  if (hook.kind === 'app') {
    await client.request(`POST /app/hook/deliveries/${deliveryId}/attempts`);
  } else if (hook.kind === 'org') {
    await client.request(`POST /orgs/{org}/hooks/{hook_id}/deliveries/${deliveryId}/attempts`, {
      org: hook.org,
      hook_id: hook.hookId,
    });
  } else {
    await client.request(`POST /repos/{owner}/{repo}/hooks/{hook_id}/deliveries/${deliveryId}/attempts`, {
      owner: hook.owner,
      repo: hook.repo,
      hook_id: hook.hookId,
    });
  }
}
