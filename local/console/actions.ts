import { readFileSync, writeFileSync } from 'node:fs';
import { S3Client } from '@aws-sdk/client-s3';
import { isSourceId } from '../../functions/lib/envelope';
import { emulatorKinesisClient, LOCAL_CREDENTIALS } from '../emulators';
import { LOCAL_NAMES, LOCAL_REGION, localPaths } from '../names';
import { type FailureMessage, redrive } from '../redrive';
import { replay } from '../replay/replay';
import { postWebhook, signWebhook } from '../signing';
import type { DeliveryStore } from './store';
import type { ActionResult, DeadLetter } from './types';

export interface ActionContext {
  store: DeliveryStore;
  dir: string;
  apiUrl: () => string;
  endpoints: { kinesis?: string; s3?: string };
  env: NodeJS.ProcessEnv;
}

/** Sends a recorded request again, signed with the local secret, with its delivery id: a redelivery. */
export async function resend(context: ActionContext, key: string): Promise<ActionResult> {
  const request = context.store.request(key);
  if (!request) return { ok: false, message: 'only a request received by the API can be resent' };
  if (request.truncated) {
    return { ok: false, message: `the body (${request.bodyBytes} bytes) was recorded only in part` };
  }
  if (!isSourceId(request.source)) return { ok: false, message: `"${request.source}" is not a known source` };
  const signed = signWebhook({
    source: request.source,
    body: Buffer.from(request.body, request.bodyEncoding),
    headers: request.headers,
    keepDeliveryId: true,
    env: context.env,
  });
  const answer = await postWebhook(context.apiUrl(), signed);
  return {
    ok: answer.status >= 200 && answer.status < 300,
    message: `resent as delivery ${signed.deliveryId}: ${answer.status} ${answer.body}`,
    detail: answer,
  };
}

function localClients(context: ActionContext) {
  const { kinesis, s3 } = context.endpoints;
  if (!kinesis || !s3) throw new Error('the local stream and lake are not running');
  return {
    kinesis: emulatorKinesisClient(kinesis),
    s3: new S3Client({
      endpoint: s3,
      region: LOCAL_REGION,
      credentials: LOCAL_CREDENTIALS,
      forcePathStyle: true,
    }),
  };
}

/** Puts an event back on the stream from the lake, as `npm run replay` does for a window. */
export async function replayEvent(context: ActionContext, key: string): Promise<ActionResult> {
  const detail = context.store.detail(key);
  const envelope = detail?.envelope;
  const receivedAt = typeof envelope?.receivedAt === 'string' ? Date.parse(envelope.receivedAt) : Number.NaN;
  if (!envelope || Number.isNaN(receivedAt)) {
    return { ok: false, message: 'this delivery has no event on the bus yet, so nothing to replay' };
  }
  const clients = localClients(context);
  try {
    // The window of the event's own millisecond, its source and type: the lake's other events stay put.
    const summary = await replay(
      {
        from: `s3://${LOCAL_NAMES.lakeBucket}/events/`,
        stream: LOCAL_NAMES.stream,
        since: new Date(receivedAt),
        until: new Date(receivedAt + 1),
        sources: [String(envelope.source)],
        types: [String(envelope.type)],
        dryRun: false,
      },
      clients,
    );
    if (summary.matched === 0) {
      return {
        ok: false,
        message: 'the event is not in the lake yet (the lake writer buffers for a moment)',
      };
    }
    return {
      ok: summary.failed === 0,
      message: `replayed from the lake: ${summary.put} put on the stream, ${summary.failed} failed`,
      detail: summary,
    };
  } finally {
    clients.kinesis.destroy();
    clients.s3.destroy();
  }
}

export function deadLetters(dir: string): DeadLetter[] {
  let text = '';
  try {
    text = readFileSync(localPaths(dir).deadLetters, 'utf8');
  } catch {
    return [];
  }
  return text
    .split('\n')
    .map((line, index) => ({ line, number: index + 1 }))
    .filter(({ line }) => line.trim() !== '')
    .map(({ line, number }) => {
      try {
        const parsed = JSON.parse(line) as {
          timestamp?: string;
          requestContext?: { condition?: string };
          KinesisBatchInfo?: Record<string, unknown>;
        };
        const info = parsed.KinesisBatchInfo ?? {};
        return {
          line: number,
          ...(parsed.timestamp && { timestamp: parsed.timestamp }),
          ...(parsed.requestContext?.condition && { condition: parsed.requestContext.condition }),
          shardId: String(info.shardId),
          batchSize: Number(info.batchSize),
          startSequenceNumber: String(info.startSequenceNumber),
          endSequenceNumber: String(info.endSequenceNumber),
        };
      } catch {
        return { line: number };
      }
    });
}

/** Redrives one line of dlq.ndjson like `npm run redrive -- --file`, removing it once its records are back. */
export async function redriveDeadLetter(context: ActionContext, lineNumber: number): Promise<ActionResult> {
  const path = localPaths(context.dir).deadLetters;
  const lines = readFileSync(path, 'utf8').split('\n');
  const body = lines[lineNumber - 1] ?? '';
  if (body.trim() === '') return { ok: false, message: `dlq.ndjson has no line ${lineNumber}` };
  let removed = false;
  const { kinesis, s3 } = localClients(context);
  s3.destroy();
  try {
    async function* one(): AsyncIterable<FailureMessage> {
      yield {
        id: `line ${lineNumber}`,
        body,
        remove: async () => {
          removed = true;
        },
      };
    }
    const outcome = await redrive(kinesis, one(), { dryRun: false });
    if (removed) {
      // Re-read: the poller may have appended while the records were put back.
      const current = readFileSync(path, 'utf8').split('\n');
      const index = current.indexOf(body);
      if (index >= 0) current.splice(index, 1);
      writeFileSync(path, current.join('\n'));
    }
    const failure = outcome.failed[0]?.error ?? outcome.expired[0]?.replay;
    return {
      ok: removed,
      message: removed
        ? `redriven: ${outcome.records} record(s) put back on the stream`
        : `not redriven: ${failure ?? 'unreadable dead letter'}`,
      detail: outcome,
    };
  } finally {
    kinesis.destroy();
  }
}
