import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { SFNClient } from '@aws-sdk/client-sfn';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { readDispatchConcurrency } from '../dispatcher/config';
import { traced } from '../observability';

// A sync execution holds its connection until the workflow ends, so the pool has one socket per execution
// the dispatcher may run at once: fewer would queue executions inside the SDK, out of sight of the
// dispatcher's deadline check; more would never be used.
const maxSockets = readDispatchConcurrency();

// StartSyncExecution is served from `sync-states.<region>`: the SDK prepends `sync-` to the host. An
// explicitly configured endpoint (AWS_ENDPOINT_URL_SFN, such as the local pipeline's Step Functions) is the
// exact host to call, so the prefix is left off there.
export const sfnClient = traced(
  new SFNClient({
    disableHostPrefix: Boolean(process.env.AWS_ENDPOINT_URL_SFN),
    requestHandler: new NodeHttpHandler({
      httpAgent: new HttpAgent({ keepAlive: true, maxSockets }),
      httpsAgent: new HttpsAgent({ keepAlive: true, maxSockets }),
    }),
  }),
);
