import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { eventbridgeClient } from '../clients/eventbridge';
import type { RecordType } from './addresses';

export const DNS_RESULT_SOURCE = 'webhooks.dns';
export const DNS_RESULT_DETAIL_TYPE = 'DNS Update Result';

/** `superseded`: a newer report for the same record was applied, so this one changed nothing. */
export type DnsOutcome = 'changed' | 'unchanged' | 'refused' | 'superseded';

/** The detail of the event published for every request the updater handles. */
export interface DnsResultDetail {
  uuid: string;
  /** As requested (normalized when it was a valid name); null when the request had none. */
  domain: string | null;
  ip: string | null;
  recordType: RecordType | null;
  outcome: DnsOutcome;
  reason: string;
}

export class PublishFailed extends Error {
  override readonly name = 'PublishFailed';
}

export async function publishDnsResult(eventBusName: string, detail: DnsResultDetail): Promise<void> {
  const response = await eventbridgeClient.send(
    new PutEventsCommand({
      Entries: [
        {
          EventBusName: eventBusName,
          Source: DNS_RESULT_SOURCE,
          DetailType: DNS_RESULT_DETAIL_TYPE,
          Detail: JSON.stringify(detail),
        },
      ],
    }),
  );
  // PutEvents answers 200 even when an entry was not accepted; failures are reported per entry.
  if ((response.FailedEntryCount ?? 0) > 0) {
    const entry = response.Entries?.[0];
    throw new PublishFailed(
      `DNS result event not accepted: ${entry?.ErrorCode ?? 'unknown'} ${entry?.ErrorMessage ?? ''}`,
    );
  }
}
