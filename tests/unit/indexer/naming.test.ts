import { documentId, indexName } from '../../../functions/lib/search/naming';

describe('index and document names', () => {
  it('names the index after the source and the UTC month the event was received', () => {
    expect(indexName('webhooks', { source: 'github', receivedAt: '2026-05-03T09:14:27.512Z' })).toBe(
      'webhooks-github-2026.05',
    );
    // 23:30 on 31 December in UTC-2 is already January in UTC.
    expect(indexName('webhooks', { source: 'jira', receivedAt: '2026-12-31T23:30:00-02:00' })).toBe(
      'webhooks-jira-2027.01',
    );
  });

  it('refuses a receivedAt that is not a date', () => {
    expect(() => indexName('webhooks', { source: 'github', receivedAt: 'yesterday' })).toThrow(RangeError);
  });

  it('uses source:id as document id, the same for a redelivery', () => {
    const delivery = { source: 'github' as const, id: '72d3162e-cc78-11e3-81ab-4c9367dc0958' };

    expect(documentId(delivery)).toBe('github:72d3162e-cc78-11e3-81ab-4c9367dc0958');
    expect(documentId({ ...delivery })).toBe(documentId(delivery));
  });
});
