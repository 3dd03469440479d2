import { executionName } from '../../../functions/lib/dispatcher/execution-name';

describe('executionName', () => {
  it('reads as source and delivery id, followed by a short hash', () => {
    const name = executionName({ source: 'github', id: '72d3162e-cc78-11e3-81ab-4c9367dc0958' });

    expect(name).toMatch(/^github-72d3162e-cc78-11e3-81ab-4c9367dc0958-[0-9a-f]{12}$/);
  });

  it('is the same for the same event, so a retried record keeps its name', () => {
    const event = { source: 'gitlab' as const, id: 'b3a1c8d0-2b4e-11f0-a577-5e6f7a8b9c01' };

    expect(executionName(event)).toBe(executionName({ ...event }));
  });

  it('uses only the characters Step Functions logs accept, within 80 characters', () => {
    const name = executionName({ source: 'servicenow', id: `sys id: {ä/ö}* ${'0123456789'.repeat(20)}` });

    expect(name).toMatch(/^[A-Za-z0-9_-]{1,80}$/);
  });

  it('keeps apart ids that sanitising or truncating would make equal', () => {
    const long = 'a'.repeat(100);

    expect(executionName({ source: 'jira', id: 'a/b' })).not.toBe(
      executionName({ source: 'jira', id: 'a_b' }),
    );
    expect(executionName({ source: 'jira', id: `${long}1` })).not.toBe(
      executionName({ source: 'jira', id: `${long}2` }),
    );
    expect(executionName({ source: 'jira', id: 'x' })).not.toBe(executionName({ source: 'rally', id: 'x' }));
  });
});
