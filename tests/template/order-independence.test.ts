import { loadTemplate } from '../../local/template';

/*
 * The settings that make effects independent of event order reach the functions that need them: the
 * dispatcher's bound, and the compliance step's memory of findings, which must last as long as the lake
 * can hand an event back for a replay.
 */
const template = loadTemplate();
const variables = (logicalId: string) =>
  (
    template.Resources[logicalId]?.Properties as {
      Environment?: { Variables?: Record<string, unknown> };
    }
  )?.Environment?.Variables ?? {};

describe('order independence in the template', () => {
  it('bounds the dispatcher by the DispatcherConcurrency parameter, 20 by default and at most 100', () => {
    expect(variables('DispatcherFunction').DISPATCH_CONCURRENCY).toEqual({ Ref: 'DispatcherConcurrency' });
    expect(template.Parameters?.DispatcherConcurrency).toMatchObject({
      Type: 'Number',
      Default: 20,
      MinValue: 1,
      MaxValue: 100,
    });
  });

  it('remembers findings for as long as the lake keeps events', () => {
    expect(variables('ComplianceFunction').LAKE_EXPIRATION_DAYS).toEqual({ Ref: 'LakeExpirationDays' });
  });

  it('gives the DNS updater the table that holds report versions', () => {
    expect(variables('DnsUpdaterFunction').IDEMPOTENCY_TABLE).toEqual({ Ref: 'IdempotencyTable' });
  });
});
