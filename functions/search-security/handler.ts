import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { CloudFormationCustomResourceEvent, Context } from 'aws-lambda';
import { searchConfig, securityClient } from '../lib/clients/opensearch-security';
import {
  type CustomResourceOutcome,
  type CustomResourceRequest,
  sendResponse,
  withDeadline,
} from '../lib/custom-resource';
import { instrument, logger, metrics } from '../lib/observability';
import { DEFAULT_BACKOFF } from '../lib/search/retry';
import { describeSecurityError, type IndexerMapping, SearchSecurity } from '../lib/search/security';

// A domain just created can still answer 5xx for a moment: the indexer's waits.
const security = new SearchSecurity(securityClient, {
  maxAttempts: searchConfig.maxAttempts,
  ...DEFAULT_BACKOFF,
});

/** Left for answering CloudFormation after the work gave up: the answer must go before Lambda's timeout. */
const ANSWER_MARGIN_MS = 10_000;
const ROLE_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;
const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/;
const INDEX_PREFIX = /^[a-z0-9][a-z0-9_-]*$/;

/** The resource's properties, checked: CloudFormation passes whatever the template says, as strings. */
export function readMapping(properties: Record<string, unknown>): IndexerMapping {
  const { RoleName, IndexPrefix, BackendRoles } = properties;
  if (typeof RoleName !== 'string' || !ROLE_NAME.test(RoleName)) {
    throw new Error(`RoleName must be a security role name, got ${JSON.stringify(RoleName)}`);
  }
  if (typeof IndexPrefix !== 'string' || !INDEX_PREFIX.test(IndexPrefix)) {
    throw new Error(`IndexPrefix must be a lower-case index name, got ${JSON.stringify(IndexPrefix)}`);
  }
  if (
    !Array.isArray(BackendRoles) ||
    BackendRoles.length === 0 ||
    !BackendRoles.every((arn) => typeof arn === 'string' && ROLE_ARN.test(arn))
  ) {
    throw new Error('BackendRoles must be a non-empty list of IAM role ARNs');
  }
  return { roleName: RoleName, indexPrefix: IndexPrefix, backendRoles: BackendRoles as string[] };
}

async function decide(request: CustomResourceRequest): Promise<CustomResourceOutcome> {
  if (request.RequestType === 'Delete') {
    const roleName = request.PhysicalResourceId ?? '';
    // Best effort: a stack must always be deletable, even when the domain is already gone or refuses.
    if (ROLE_NAME.test(roleName)) {
      await security.remove(roleName).catch((error: unknown) => {
        logger.warn('indexer role left in place', { roleName, error: describeSecurityError(error) });
      });
    }
    return { status: 'SUCCESS', physicalResourceId: roleName || request.RequestId };
  }
  const mapping = readMapping(request.ResourceProperties);
  await security.apply(mapping);
  // A new RoleName is a new physical id: CloudFormation then deletes the old role with a Delete request.
  return { status: 'SUCCESS', physicalResourceId: mapping.roleName, data: { RoleName: mapping.roleName } };
}

/**
 * Maps the indexer's IAM role to its own security role on the created domain, as the domain's master user
 * (this function's role). It answers CloudFormation whatever happens: FAILED with the reason when the work
 * fails or would outlast the function, so a stack never waits for a response that does not come.
 */
async function onEvent(event: CloudFormationCustomResourceEvent, context: Context): Promise<void> {
  const request = event as CustomResourceRequest;
  const fallbackId =
    request.PhysicalResourceId ??
    (typeof request.ResourceProperties.RoleName === 'string'
      ? request.ResourceProperties.RoleName
      : request.RequestId);
  const outcome = await withDeadline(
    decide(request),
    context.getRemainingTimeInMillis() - ANSWER_MARGIN_MS,
  ).catch(
    (error: unknown): CustomResourceOutcome => ({
      status: 'FAILED',
      // Our own messages: the properties refused, the plugin's answer, or the deadline; never a credential.
      reason: error instanceof Error ? error.message : String(error),
      physicalResourceId: fallbackId,
    }),
  );
  metrics.addMetric(
    outcome.status === 'SUCCESS' ? 'SearchSecurityApplied' : 'SearchSecurityFailed',
    MetricUnit.Count,
    1,
  );
  logger.info('custom resource answered', {
    requestType: request.RequestType,
    status: outcome.status,
    physicalResourceId: outcome.physicalResourceId,
    ...(outcome.reason ? { reason: outcome.reason } : {}),
  });
  await sendResponse(request, outcome);
}

export const handler = instrument(onEvent);
