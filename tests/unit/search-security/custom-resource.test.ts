import { createServer } from 'node:http';
import {
  type CustomResourceRequest,
  responseBody,
  sendResponse,
  withDeadline,
} from '../../../functions/lib/custom-resource';
import { closeServer, listen } from '../../../local/servers';

const request = (responseUrl: string): CustomResourceRequest => ({
  RequestType: 'Create',
  ResponseURL: responseUrl,
  StackId: 'arn:aws:cloudformation:us-east-1:123456789012:stack/s/1',
  RequestId: 'r-1',
  LogicalResourceId: 'IndexerSearchRole',
  ResourceProperties: {},
});

/** A response URL that answers each PUT with the next status of `statuses` (the last one repeats). */
async function responseUrl(statuses: number[]) {
  const bodies: string[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      bodies.push(Buffer.concat(chunks).toString('utf8'));
      res.writeHead(statuses[Math.min(bodies.length - 1, statuses.length - 1)] ?? 200).end();
    });
  });
  return { url: await listen(server), bodies, close: () => closeServer(server) };
}

describe('CloudFormation custom resource answers', () => {
  it('echo the request and cut a long reason so the answer stays under 4 KB', () => {
    const body = JSON.parse(
      responseBody(request('http://x'), {
        status: 'FAILED',
        reason: 'x'.repeat(10_000),
        physicalResourceId: 'p',
      }),
    );

    expect(body).toMatchObject({
      Status: 'FAILED',
      PhysicalResourceId: 'p',
      StackId: 'arn:aws:cloudformation:us-east-1:123456789012:stack/s/1',
      RequestId: 'r-1',
      LogicalResourceId: 'IndexerSearchRole',
    });
    expect(body.Reason).toHaveLength(1_000);
  });

  it('are sent again after a 5xx from the response URL', async () => {
    const target = await responseUrl([503, 200]);
    try {
      await sendResponse(request(target.url), { status: 'SUCCESS', physicalResourceId: 'p' });
    } finally {
      await target.close();
    }

    expect(target.bodies).toHaveLength(2);
    expect(JSON.parse(target.bodies[1] ?? '{}')).toMatchObject({ Status: 'SUCCESS' });
  });

  it('fail at once on a 4xx (an expired or wrong URL will not get better)', async () => {
    const target = await responseUrl([403]);
    try {
      await expect(
        sendResponse(request(target.url), { status: 'SUCCESS', physicalResourceId: 'p' }),
      ).rejects.toThrow('CloudFormation response not delivered: the response URL answered 403');
    } finally {
      await target.close();
    }
    expect(target.bodies).toHaveLength(1);
  });

  it('fail after the last attempt when the URL cannot be reached', async () => {
    const target = await responseUrl([200]);
    await target.close();

    await expect(
      sendResponse(request(target.url), { status: 'SUCCESS', physicalResourceId: 'p' }, { attempts: 2 }),
    ).rejects.toThrow('CloudFormation response not delivered');
  });
});

describe('withDeadline', () => {
  it('returns the work when it ends first', async () => {
    await expect(withDeadline(Promise.resolve('done'), 60_000)).resolves.toBe('done');
  });

  it('gives up when the deadline comes first', async () => {
    await expect(withDeadline(new Promise(() => undefined), 0)).rejects.toThrow(
      "gave up after 0 s, before the function's timeout",
    );
  });
});
