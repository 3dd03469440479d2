import type { APIGatewayAuthorizerResult, APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { authorizeRequest, loadAuthorizerConfig } from '../lib/authorize';
import { countWithBreakdown, instrument, logger } from '../lib/observability';
import { lowerCaseHeaders } from '../lib/request-body';

const config = loadAuthorizerConfig();

const metricNames = {
  allow: 'AuthorizerAllowed',
  deny: 'AuthorizerDenied',
  unauthorized: 'AuthorizerUnauthorized',
};

function policy(
  effect: 'Allow' | 'Deny',
  methodArn: string,
  context?: Record<string, string>,
): APIGatewayAuthorizerResult {
  return {
    principalId: context?.source ?? 'anonymous',
    policyDocument: {
      Version: '2012-10-17',
      Statement: [{ Action: 'execute-api:Invoke', Effect: effect, Resource: methodArn }],
    },
    ...(context && { context }),
  };
}

async function authorize(event: APIGatewayRequestAuthorizerEvent): Promise<APIGatewayAuthorizerResult> {
  const source = event.pathParameters?.source;
  const decision = await authorizeRequest(
    { source, headers: lowerCaseHeaders(event.headers), sourceIp: event.requestContext.identity?.sourceIp },
    config,
  );
  countWithBreakdown(metricNames[decision.effect], {
    source: source ?? 'none',
    reason: decision.effect === 'allow' ? 'allowed' : decision.reason,
  });
  // Reasons name the check that failed, never the credential. Refusals log at WARN: a sender with a wrong
  // secret is what an operator looks for, and the request id ties the line to the API's access log.
  const requestId = event.requestContext.requestId;
  if (decision.effect === 'unauthorized') {
    logger.warn('webhook unauthorized', { source, reason: decision.reason, requestId });
    // This exact message is how a Lambda authorizer makes API Gateway answer 401; a 401 cannot carry
    // a reason, so the sender reads the generic message and the operator this log line.
    throw new Error('Unauthorized');
  }
  if (decision.effect === 'deny') {
    logger.warn('webhook denied', { source, reason: decision.reason, requestId });
    // The ACCESS_DENIED gateway response shows the reason ($context.authorizer.reason).
    return policy('Deny', event.methodArn, { reason: decision.reason });
  }
  return policy('Allow', event.methodArn, { source: decision.source });
}

export const handler = instrument(authorize);
