import {
  ChangeResourceRecordSetsCommand,
  InvalidChangeBatch,
  ListResourceRecordSetsCommand,
  Route53Client,
} from '@aws-sdk/client-route-53';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { ensureAddressRecord, RecordConflict } from '../../../functions/lib/dns/records';

const route53 = mockClient(Route53Client);
const target = {
  hostedZoneId: 'Z0TEST',
  name: 'nas.home.example.com',
  type: 'A' as const,
  value: '93.184.216.34',
  ttl: 60,
};
const changed = { ChangeInfo: { Id: '/change/C123', Status: 'PENDING' as const, SubmittedAt: new Date() } };

function holding(
  value: string,
  ttl = 60,
  name = 'nas.home.example.com.',
  type: 'A' | 'AAAA' | 'CNAME' = 'A',
) {
  return {
    ResourceRecordSets: [{ Name: name, Type: type, TTL: ttl, ResourceRecords: [{ Value: value }] }],
    IsTruncated: false,
    MaxItems: 1,
  };
}

beforeEach(() => route53.reset());

describe('ensureAddressRecord', () => {
  it('reads the one record set at the name and type, then UPSERTs the address with the TTL', async () => {
    route53.on(ListResourceRecordSetsCommand).resolves(holding('198.51.100.1'));
    route53.on(ChangeResourceRecordSetsCommand).resolves(changed);

    const outcome = await ensureAddressRecord(target, 'ddns 1');

    expect(outcome).toEqual({ outcome: 'changed', changeId: '/change/C123' });
    expect(route53).toHaveReceivedCommandWith(ListResourceRecordSetsCommand, {
      HostedZoneId: 'Z0TEST',
      StartRecordName: 'nas.home.example.com',
      StartRecordType: 'A',
      MaxItems: 1,
    });
    expect(route53).toHaveReceivedCommandTimes(ChangeResourceRecordSetsCommand, 1);
    expect(route53.commandCalls(ChangeResourceRecordSetsCommand)[0]?.args[0].input).toEqual({
      HostedZoneId: 'Z0TEST',
      ChangeBatch: {
        Comment: 'ddns 1',
        Changes: [
          {
            Action: 'UPSERT',
            ResourceRecordSet: {
              Name: 'nas.home.example.com',
              Type: 'A',
              TTL: 60,
              ResourceRecords: [{ Value: '93.184.216.34' }],
            },
          },
        ],
      },
    });
  });

  it('sends no change when the record already holds the address with the TTL', async () => {
    route53.on(ListResourceRecordSetsCommand).resolves(holding('93.184.216.34'));

    const outcome = await ensureAddressRecord(target, 'ddns 2');

    expect(outcome).toEqual({ outcome: 'unchanged' });
    expect(route53).toHaveReceivedCommandTimes(ChangeResourceRecordSetsCommand, 0);
  });

  it('compares IPv6 values as addresses, not as text', async () => {
    route53
      .on(ListResourceRecordSetsCommand)
      .resolves(holding('2001:0DB8:0000::0001', 60, 'nas.home.example.com.', 'AAAA'));

    const outcome = await ensureAddressRecord({ ...target, type: 'AAAA', value: '2001:db8::1' }, 'ddns 3');

    expect(outcome).toEqual({ outcome: 'unchanged' });
  });

  it.each([
    ['another address', holding('198.51.100.1')],
    ['another TTL', holding('93.184.216.34', 300)],
    ['no record at all', { ResourceRecordSets: [], IsTruncated: false, MaxItems: 1 }],
    ['only the next name in the zone', holding('93.184.216.34', 60, 'pi.home.example.com.')],
    ['only another type at the name', holding('2001:db8::1', 60, 'nas.home.example.com.', 'AAAA')],
  ])('changes the record when the listing shows %s', async (_case, listing) => {
    route53.on(ListResourceRecordSetsCommand).resolves(listing);
    route53.on(ChangeResourceRecordSetsCommand).resolves(changed);

    const outcome = await ensureAddressRecord(target, 'ddns 4');

    expect(outcome.outcome).toBe('changed');
    expect(route53).toHaveReceivedCommandTimes(ChangeResourceRecordSetsCommand, 1);
  });

  it('turns an InvalidChangeBatch into a RecordConflict, without retrying', async () => {
    route53
      .on(ListResourceRecordSetsCommand)
      .resolves(holding('nas.elsewhere.net.', 60, 'nas.home.example.com.', 'CNAME'));
    route53.on(ChangeResourceRecordSetsCommand).rejects(
      new InvalidChangeBatch({
        message: '[RRSet of type A with DNS name nas.home.example.com. is not permitted]',
        $metadata: {},
      }),
    );

    await expect(ensureAddressRecord(target, 'ddns 9')).rejects.toThrow(RecordConflict);
    expect(route53).toHaveReceivedCommandTimes(ChangeResourceRecordSetsCommand, 1);
  });

  it('refuses to overwrite an alias record', async () => {
    route53.on(ListResourceRecordSetsCommand).resolves({
      ResourceRecordSets: [
        {
          Name: 'nas.home.example.com.',
          Type: 'A',
          AliasTarget: { HostedZoneId: 'Z2', DNSName: 'lb.example.net.', EvaluateTargetHealth: false },
        },
      ],
      IsTruncated: false,
      MaxItems: 1,
    });

    await expect(ensureAddressRecord(target, 'ddns 10')).rejects.toThrow('alias or routing-policy');
    expect(route53).toHaveReceivedCommandTimes(ChangeResourceRecordSetsCommand, 0);
  });
});
