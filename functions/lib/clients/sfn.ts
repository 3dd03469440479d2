import { SFNClient } from '@aws-sdk/client-sfn';
import { traced } from '../observability';

// StartSyncExecution is served from `sync-states.<region>`: the SDK prepends `sync-` to the host. An
// explicitly configured endpoint (AWS_ENDPOINT_URL_SFN, such as the local pipeline's Step Functions) is the
// exact host to call, so the prefix is left off there.
export const sfnClient = traced(
  new SFNClient({ disableHostPrefix: Boolean(process.env.AWS_ENDPOINT_URL_SFN) }),
);
