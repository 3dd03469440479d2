import {
  ChangeResourceRecordSetsCommand,
  ListResourceRecordSetsCommand,
  type ResourceRecordSet,
  type Route53Client,
} from '@aws-sdk/client-route-53';
import { route53Client } from '../clients/route53';
import { type RecordType, sameAddress } from './addresses';
import { sameName } from './names';

export interface AddressRecord {
  hostedZoneId: string;
  name: string;
  type: RecordType;
  value: string;
  ttl: number;
}

export type RecordOutcome = { outcome: 'changed'; changeId: string } | { outcome: 'unchanged' };

/**
 * Route 53 will not take this change for a reason that retrying cannot fix: the name holds an alias or a
 * routing-policy record, a CNAME, or the change is otherwise invalid. The request is refused.
 */
export class RecordConflict extends Error {
  override readonly name = 'RecordConflict';
}

/** The simple record set of this name and type, if there is one. */
export async function readRecord(
  target: Pick<AddressRecord, 'hostedZoneId' | 'name' | 'type'>,
  client: Route53Client = route53Client,
): Promise<ResourceRecordSet | undefined> {
  // Record sets are listed in (name, type) order from the start point: the first one is ours only if it matches.
  const page = await client.send(
    new ListResourceRecordSetsCommand({
      HostedZoneId: target.hostedZoneId,
      StartRecordName: target.name,
      StartRecordType: target.type,
      MaxItems: 1,
    }),
  );
  const first = page.ResourceRecordSets?.[0];
  return first && sameName(first.Name, target.name) && first.Type === target.type ? first : undefined;
}

function holds(current: ResourceRecordSet, target: AddressRecord): boolean {
  const values = current.ResourceRecords ?? [];
  return (
    current.TTL === target.ttl && values.length === 1 && sameAddress(values[0]?.Value ?? '', target.value)
  );
}

/**
 * Makes the record hold exactly `value` with `ttl`: nothing is sent when it already does (a client that
 * reports every few minutes costs one read), else one UPSERT. A TTL that differs from the configured one
 * is corrected too, so a changed DnsRecordTtl reaches every record on its next report.
 */
export async function ensureAddressRecord(
  target: AddressRecord,
  comment: string,
  client: Route53Client = route53Client,
): Promise<RecordOutcome> {
  const current = await readRecord(target, client);
  if (current?.AliasTarget || current?.SetIdentifier) {
    throw new RecordConflict(`${target.name} ${target.type} is an alias or routing-policy record`);
  }
  if (current && holds(current, target)) return { outcome: 'unchanged' };
  try {
    const result = await client.send(
      new ChangeResourceRecordSetsCommand({
        HostedZoneId: target.hostedZoneId,
        ChangeBatch: {
          Comment: comment,
          Changes: [
            {
              Action: 'UPSERT',
              ResourceRecordSet: {
                Name: target.name,
                Type: target.type,
                TTL: target.ttl,
                ResourceRecords: [{ Value: target.value }],
              },
            },
          ],
        },
      }),
    );
    return { outcome: 'changed', changeId: result.ChangeInfo?.Id ?? '' };
  } catch (error) {
    if (error instanceof Error && error.name === 'InvalidChangeBatch') {
      throw new RecordConflict(`Route 53 refused the change: ${error.message}`, { cause: error });
    }
    throw error;
  }
}
