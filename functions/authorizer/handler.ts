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
  // Reasons name the check that failed, never the credential.
  if (decision.effect === 'unauthorized') {
    logger.info('webhook unauthorized', { source, reason: decision.reason });
    // This exact message is how a Lambda authorizer makes API Gateway answer 401.
    throw new Error('Unauthorized');
  }
  if (decision.effect === 'deny') {
    logger.info('webhook denied', { source, reason: decision.reason });
    return policy('Deny', event.methodArn);
  }
  return policy('Allow', event.methodArn, { source: decision.source });
}

export const handler = instrument(authorize);
