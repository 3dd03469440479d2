import { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { WebhookRequest } from '../../local/signing';
import {
  githubPayloads,
  mapLimit,
  missingDocuments,
  signedGithub,
  startTestPipeline,
  streamRecords,
  type TestPipeline,
  waitFor,
} from './support';

// The local pipeline starts kinesalite inside this process; keeping a handle on the server it creates lets the
// test take the stream service away and bring it back on the same port, without a hook in local/.
const mockKinesaliteServers: Server[] = [];
jest.mock('kinesalite', () => {
  const kinesalite = jest.requireActual<(options: object) => Server>('kinesalite');
  return (options: object) => {
    const server = kinesalite(options);
    mockKinesaliteServers.push(server);
    return server;
  };
});

/**
 * Stops accepting connections and drops the open ones (in-flight calls fail like a network outage).
 * kinesalite's own close() also closes its store, which an in-memory stream does not survive; the plain
 * HTTP close keeps the records, as a Kinesis outage does.
 */
function takeDown(server: Server): Promise<number> {
  const { port } = server.address() as AddressInfo;
  return new Promise((resolve) => {
    Server.prototype.close.call(server, () => resolve(port));
    server.closeAllConnections();
  });
}

function bringBack(server: Server, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    // kinesalite swaps in its own listen() only once its own close() ran, which takeDown avoids.
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
}

interface Outcome {
  request: WebhookRequest;
  status: number;
  retryAfter: string | null;
}

const payloads = githubPayloads();
let sent = 0;
/** Real payloads in turn, each a new delivery. */
function nextDelivery(): WebhookRequest {
  const { event, payload } = payloads[sent++ % payloads.length] as (typeof payloads)[number];
  return signedGithub(event, Buffer.from(JSON.stringify(payload)));
}

async function send(url: string, request: WebhookRequest): Promise<Outcome> {
  const response = await fetch(`${url}/webhooks/github`, {
    method: 'POST',
    headers: request.headers,
    body: request.body,
  });
  await response.arrayBuffer();
  return { request, status: response.status, retryAfter: response.headers.get('retry-after') };
}

describe('Kinesis unavailable for a while', () => {
  let running: TestPipeline;

  beforeAll(async () => {
    running = await startTestPipeline();
  });

  afterAll(async () => {
    await running?.stop();
  });

  it('answers 503 with Retry-After, never a false 2xx, and loses nothing it accepted', async () => {
    // Prepare: senders posting without pause through the whole outage, as GitHub would.
    const [kinesalite] = mockKinesaliteServers;
    if (!kinesalite || mockKinesaliteServers.length !== 1)
      throw new Error('expected the one kinesalite server');
    const background: Outcome[] = [];
    let sending = true;
    const senders = Array.from({ length: 2 }, async () => {
      while (sending) background.push(await send(running.url, nextDelivery()));
    });
    const accepted = () => background.filter((outcome) => outcome.status === 202).length;
    await waitFor('deliveries accepted before the outage', async () => (accepted() >= 10 ? true : undefined));

    // Act: take the stream away; deliveries made while it is surely down; bring it back.
    let port: number | undefined;
    let duringOutage: Outcome[];
    let onStreamDuringOutage: unknown;
    try {
      port = await takeDown(kinesalite);
      duringOutage = await mapLimit(Array.from({ length: 16 }, nextDelivery), 8, (request) =>
        send(running.url, request),
      );
      onStreamDuringOutage = await streamRecords(running.pipeline.endpoints.kinesis as string).catch(
        (error: Error) => error,
      );
      const refusals = () => background.filter((outcome) => outcome.status !== 202).length;
      await waitFor('the senders refused a few times', async () => (refusals() >= 6 ? true : undefined));
      await bringBack(kinesalite, port);
      port = undefined;
      const acceptedAtReturn = accepted();
      await waitFor('deliveries accepted after the outage', async () =>
        accepted() >= acceptedAtReturn + 10 ? true : undefined,
      );
    } finally {
      if (port !== undefined) await bringBack(kinesalite, port);
      sending = false;
      await Promise.allSettled(senders);
    }
    const nothingOfTheOutage = await streamRecords(running.pipeline.endpoints.kinesis as string);
    // What a sender does with a 503: deliver again, same delivery id, once the service is back.
    const retried = await mapLimit(duringOutage, 8, (outcome) => send(running.url, outcome.request));

    // Assert: while down, only 503 with Retry-After; around it, 202 or 503 and nothing else.
    expect(onStreamDuringOutage).toBeInstanceOf(Error);
    expect(duringOutage.map((outcome) => [outcome.status, outcome.retryAfter])).toEqual(
      duringOutage.map(() => [503, expect.stringMatching(/^\d+$/)]),
    );
    const refused = background.filter((outcome) => outcome.status !== 202);
    expect(refused.length).toBeGreaterThan(0);
    expect(refused.map((outcome) => [outcome.status, outcome.retryAfter])).toEqual(
      refused.map(() => [503, expect.stringMatching(/^\d+$/)]),
    );
    const outageIds = new Set(duringOutage.map((outcome) => outcome.request.deliveryId));
    expect(
      nothingOfTheOutage.filter((record) =>
        [...outageIds].some((id) => Buffer.from(record.Data ?? []).includes(id)),
      ),
    ).toEqual([]);
    expect(retried.map((outcome) => outcome.status)).toEqual(retried.map(() => 202));
    // Nothing accepted is missing: every 202, before, around and after the outage, is indexed.
    const acceptedIds = [...background, ...retried]
      .filter((outcome) => outcome.status === 202)
      .map((outcome) => `github:${outcome.request.deliveryId}`);
    const missing = await missingDocuments(running.sinks, acceptedIds, 90_000);
    expect(missing).toEqual([]);
    expect(await running.sinks.deadLetters()).toEqual([]);
  }, 180_000);
});
