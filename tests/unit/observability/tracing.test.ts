import { tracingEnabled } from '../../../functions/lib/observability';

describe('tracingEnabled', () => {
  const lambda = { AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x' };

  it.each([
    ['in Lambda with no switch (Powertools default)', lambda, true],
    ['in Lambda switched on', { ...lambda, POWERTOOLS_TRACE_ENABLED: 'true' }, true],
    ['in Lambda switched off', { ...lambda, POWERTOOLS_TRACE_ENABLED: 'false' }, false],
    ['switched off in capitals', { ...lambda, POWERTOOLS_TRACE_ENABLED: 'FALSE' }, false],
    ['outside Lambda', { POWERTOOLS_TRACE_ENABLED: 'true' }, false],
    ['under sam local', { ...lambda, AWS_SAM_LOCAL: 'true' }, false],
    ["under Amplify's mock", { AWS_EXECUTION_ENV: 'AWS_Lambda_amplify-mock' }, false],
  ])('%s: %s', (_label, env, expected) => {
    expect(tracingEnabled(env)).toBe(expected);
  });

  it('leaves the tracer unloaded in a process that does not trace', () => {
    jest.isolateModules(() => {
      const observability =
        require('../../../functions/lib/observability') as typeof import('../../../functions/lib/observability');
      const client = { send: () => undefined };

      expect(observability.tracer).toBeUndefined();
      expect(observability.traced(client)).toBe(client);
    });
  });
});
