import { createServer, type IncomingMessage, type Server } from 'node:http';
import { closeServer, listen } from '../servers';

/** An error answered the way AWS JSON 1.0/1.1 services answer: status 400 and `{__type, message}`. */
export class AwsJsonError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

export type Operation = (input: Record<string, unknown>) => Promise<unknown>;

export interface RunningFake {
  url: string;
  close(): Promise<void>;
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * A local endpoint speaking the AWS JSON protocol (POST /, `X-Amz-Target: <prefix>.<Operation>`), the
 * wire format of EventBridge and Step Functions. Signatures are not checked: it is a local fake.
 */
export async function startAwsJsonServer(
  targetPrefix: string,
  operations: Record<string, Operation>,
  contentType = 'application/x-amz-json-1.1',
): Promise<RunningFake> {
  const server: Server = createServer((request, response) => {
    const answer = (status: number, body: unknown) => {
      response.writeHead(status, { 'content-type': contentType, 'x-amzn-requestid': crypto.randomUUID() });
      response.end(JSON.stringify(body));
    };
    void (async () => {
      try {
        const target = String(request.headers['x-amz-target'] ?? '');
        const [prefix, name] = target.split('.');
        const operation = prefix === targetPrefix && name ? operations[name] : undefined;
        if (request.method !== 'POST' || !operation) {
          throw new AwsJsonError(
            'UnknownOperationException',
            `operation ${target || '(none)'} is not supported`,
          );
        }
        const text = await readBody(request);
        let input: unknown;
        try {
          input = text === '' ? {} : JSON.parse(text);
        } catch {
          throw new AwsJsonError('SerializationException', 'request body is not JSON');
        }
        answer(200, await operation(input as Record<string, unknown>));
      } catch (error) {
        if (error instanceof AwsJsonError) {
          answer(error.status, { __type: error.type, message: error.message });
        } else {
          answer(500, { __type: 'InternalFailure', message: (error as Error).message });
        }
      }
    })();
  });
  const url = await listen(server);
  return { url, close: () => closeServer(server) };
}
