import { join, resolve } from 'node:path';

/**
 * The local stand-ins for the stack's resources: names are the ones DESIGN.md's contract fixes, ARNs use
 * a recognisable fake account so nothing local is mistaken for a deployed resource.
 */
export const LOCAL_REGION = 'us-east-1';
export const LOCAL_ACCOUNT = '000000000000';
export const LOCAL_STACK = 'local';

export const LOCAL_NAMES = {
  stream: 'webhook-stream',
  payloadBucket: 'webhook-payloads',
  lakeBucket: 'webhook-lake',
  idempotencyTable: 'webhook-idempotency',
  eventBus: 'webhooks',
  stateMachine: 'router',
  deadLetterQueue: 'webhook-dispatcher-dlq',
} as const;

export const LOCAL_ARNS = {
  stream: `arn:aws:kinesis:${LOCAL_REGION}:${LOCAL_ACCOUNT}:stream/${LOCAL_NAMES.stream}`,
  stateMachine: `arn:aws:states:${LOCAL_REGION}:${LOCAL_ACCOUNT}:stateMachine:${LOCAL_NAMES.stateMachine}`,
  eventBus: `arn:aws:events:${LOCAL_REGION}:${LOCAL_ACCOUNT}:event-bus/${LOCAL_NAMES.eventBus}`,
  function: (name: string) => `arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT}:function:${name}`,
};

/** The directory all local state lives under: `${LOCAL_DIR:-.local}`, relative to the working directory. */
export function localDir(dir = process.env.LOCAL_DIR): string {
  return resolve(dir && dir.trim() !== '' ? dir : '.local');
}

/** The files of the local contract (DESIGN.md, "Outward contracts") plus the pipeline's own state. */
export function localPaths(dir: string) {
  return {
    executions: join(dir, 'executions.ndjson'),
    eventbridge: join(dir, 'eventbridge'),
    opensearch: join(dir, 'opensearch'),
    route53: join(dir, 'route53'),
    sns: join(dir, 'sns'),
    deadLetters: join(dir, 'dlq.ndjson'),
    checkpoints: join(dir, 'checkpoints.json'),
    lakeCheckpoints: join(dir, 'lake-checkpoints.json'),
    endpoints: join(dir, 'endpoints.json'),
    functions: join(dir, 'functions'),
    kinesis: join(dir, 'kinesis'),
    dynamodb: join(dir, 'dynamodb'),
    s3: join(dir, 's3'),
  };
}
