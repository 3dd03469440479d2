import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import { join } from 'node:path';
import { SNS_MAX_MESSAGE_BYTES, SNS_MAX_SUBJECT_CHARS } from '../../functions/lib/aws-limits';
import { localPaths } from '../names';
import { appendLine } from '../ndjson';
import { closeServer, listen } from '../servers';
import type { RunningFake } from './aws-json';

/** SNS's own limits: 256 KiB per message, subjects of at most 100 printable ASCII characters. */
const MAX_MESSAGE_BYTES = SNS_MAX_MESSAGE_BYTES;
const SUBJECT = new RegExp(`^[\\x20-\\x7e]{1,${SNS_MAX_SUBJECT_CHARS}}$`);
const NS = 'http://sns.amazonaws.com/doc/2010-03-31/';

class SnsError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

/** One line of `sns/<topic name>.ndjson`: the notification as an SQS or HTTP subscriber would receive it. */
export interface SnsNotification {
  Type: 'Notification';
  MessageId: string;
  TopicArn: string;
  Subject?: string;
  Message: string;
  Timestamp: string;
  MessageAttributes: Record<string, { Type: string; Value: string }>;
}

// Three fixed response shapes do not warrant an XML library; values are escaped.
const escapeXml = (text: string) =>
  text.replace(
    /[<>&'"]/g,
    (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c] ?? c,
  );

function topicName(topicArn: string | null): string {
  const name = topicArn?.startsWith('arn:') ? topicArn.split(':')[5] : undefined;
  if (!name || !/^[A-Za-z0-9_-]{1,256}(\.fifo)?$/.test(name)) {
    throw new SnsError('InvalidParameter', 'Invalid parameter: TopicArn');
  }
  return name;
}

/** `MessageAttributes.entry.N.Name` / `.Value.DataType` / `.Value.StringValue` (or BinaryValue, base64). */
function messageAttributes(form: URLSearchParams): SnsNotification['MessageAttributes'] {
  const attributes: SnsNotification['MessageAttributes'] = {};
  for (let n = 1; form.has(`MessageAttributes.entry.${n}.Name`); n += 1) {
    const prefix = `MessageAttributes.entry.${n}`;
    const name = form.get(`${prefix}.Name`) as string;
    const type = form.get(`${prefix}.Value.DataType`);
    const value = form.get(`${prefix}.Value.StringValue`) ?? form.get(`${prefix}.Value.BinaryValue`);
    if (!type || value === null) {
      throw new SnsError('ParameterValueInvalid', `The message attribute '${name}' must contain a value.`);
    }
    attributes[name] = { Type: type, Value: value };
  }
  return attributes;
}

async function publish(form: URLSearchParams, dir: string): Promise<string> {
  if (form.has('TargetArn') || form.has('PhoneNumber')) {
    throw new SnsError('InvalidParameter', 'Only TopicArn is supported by the local SNS fake');
  }
  const topicArn = form.get('TopicArn');
  const name = topicName(topicArn);
  const message = form.get('Message');
  if (message === null || message === '') throw new SnsError('InvalidParameter', 'Empty message');
  if (Buffer.byteLength(message) > MAX_MESSAGE_BYTES) {
    throw new SnsError('InvalidParameter', 'Invalid parameter: Message too long');
  }
  const subject = form.get('Subject');
  if (subject !== null && !SUBJECT.test(subject)) {
    throw new SnsError('InvalidParameter', 'Invalid parameter: Subject');
  }
  const notification: SnsNotification = {
    Type: 'Notification',
    MessageId: randomUUID(),
    TopicArn: topicArn as string,
    ...(subject !== null && { Subject: subject }),
    Message: message,
    Timestamp: new Date().toISOString(),
    MessageAttributes: messageAttributes(form),
  };
  await appendLine(join(localPaths(dir).sns, `${name}.ndjson`), notification);
  return notification.MessageId;
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * SNS Publish on the Query protocol (form-encoded POST, XML answers), the wire format the SDK's SNS client
 * speaks. Every published message is appended to `sns/<topic name>.ndjson` under the local directory;
 * topics need no creation. Signatures are not checked: it is a local fake.
 */
export async function startSnsFake(localDir: string): Promise<RunningFake> {
  const server = createServer((request, response) => {
    const requestId = randomUUID();
    const answer = (status: number, xml: string) => {
      response.writeHead(status, { 'content-type': 'text/xml', 'x-amzn-requestid': requestId });
      response.end(`<?xml version="1.0"?>\n${xml}`);
    };
    void (async () => {
      try {
        const form = new URLSearchParams(await readBody(request));
        const action = form.get('Action');
        if (request.method !== 'POST' || action !== 'Publish') {
          throw new SnsError('InvalidAction', `${action ?? 'The action'} is not valid for this endpoint.`);
        }
        const messageId = await publish(form, localDir);
        answer(
          200,
          `<PublishResponse xmlns="${NS}"><PublishResult><MessageId>${messageId}</MessageId></PublishResult>` +
            `<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></PublishResponse>`,
        );
      } catch (error) {
        const known = error instanceof SnsError;
        const code = known ? error.code : 'InternalError';
        answer(
          known ? error.status : 500,
          `<ErrorResponse xmlns="${NS}"><Error><Type>${known ? 'Sender' : 'Receiver'}</Type>` +
            `<Code>${code}</Code><Message>${escapeXml((error as Error).message)}</Message></Error>` +
            `<RequestId>${requestId}</RequestId></ErrorResponse>`,
        );
      }
    })();
  });
  const url = await listen(server);
  return { url, close: () => closeServer(server) };
}
