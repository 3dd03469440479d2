import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { PutRecordCommand } from '@aws-sdk/client-kinesis';
import { emulatorKinesisClient } from '../../local/emulators';
import { LOCAL_ARNS, LOCAL_NAMES, localPaths } from '../../local/names';
import { type LocalPipeline, startLocalPipeline } from '../../local/pipeline';
import { fromProxyEvent, postWebhook, signWebhook } from '../../local/signing';
import { projectRoot } from '../../local/template';
import { Sinks, waitFor } from './support/sinks';

/** The path a new user takes (README, "Try it"): each command answers clearly, and stops cleanly. */
const run = promisify(execFile);
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

/** The environment of a fresh shell: no AWS settings, no region. */
function shellEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, ...extra };
  return env;
}

async function cli(script: string, args: string[], env: Record<string, string>) {
  return run(process.execPath, ['--import', 'tsx', join(projectRoot, script), ...args], {
    cwd: projectRoot,
    env: shellEnv(env),
  }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: { code: number; stdout: string; stderr: string }) => ({
      code: error.code,
      stdout: error.stdout,
      stderr: error.stderr,
    }),
  );
}

/** A port nothing listens on: one the system just handed out and took back. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('the newcomer path', () => {
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'newcomer-'));
  });

  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('send with no pipeline running names the URL it tried and how to point it elsewhere', async () => {
    const port = await closedPort();

    const result = await cli('local/send.ts', ['events/ingest/github-push.json'], {
      LOCAL_DIR: dir,
      PORT: String(port),
    });

    expect(result.code).toBe(3);
    expect(result.stderr).toContain(`cannot reach http://127.0.0.1:${port}/webhooks/github: ECONNREFUSED`);
    expect(result.stderr).toContain('--url <base url>');
    expect(result.stderr).not.toContain('fetch failed');
  });

  it('redrive of a missing dead-letter file says so', async () => {
    const missing = join(dir, 'dlq.ndjson');

    const result = await cli('scripts/redrive.ts', ['--file', missing], { LOCAL_DIR: dir });

    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`no dead-letter file at ${missing}`);
  });

  it('invoke --help answers without building the bundles', async () => {
    const bundle = join(projectRoot, 'dist', 'IngestFunction', 'handler.js');
    const before = existsSync(bundle) ? statSync(bundle).mtimeMs : undefined;

    const result = await cli('scripts/invoke.ts', ['--help'], {});

    expect(result.code).toBe(0);
    expect(result.stderr).toContain('npm run invoke -- <LogicalId> <event.json>');
    expect(existsSync(bundle) ? statSync(bundle).mtimeMs : undefined).toBe(before);
  });

  it.each(['SIGTERM', 'SIGHUP'] as const)('the npm start command stops everything on %s', async (signal) => {
    // The start script's command after the build, run by a shell as npm runs it.
    const scripts = JSON.parse(readFileSync(join(projectRoot, 'package.json'), 'utf8')).scripts as {
      start: string;
    };
    const command = scripts.start.split('&&').at(-1)?.trim() as string;
    expect(command).toMatch(/^exec /);
    const child = spawn('sh', ['-c', command], {
      cwd: projectRoot,
      env: {
        ...shellEnv({ LOCAL_DIR: dir, PORT: '0' }),
        PATH: `${join(projectRoot, 'node_modules', '.bin')}:${process.env.PATH}`,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const url = await waitFor('the ready line', async () => /^ready (\S+)$/m.exec(output)?.[1], 60_000);
    expect((await fetch(`${url}/`)).status).toBe(200);

    child.kill(signal);

    expect(await exited).toBe(0);
    expect(output).toContain(`${signal}: stopping`);
    expect(existsSync(localPaths(dir).endpoints)).toBe(false);
    await expect(fetch(`${url}/`)).rejects.toThrow();
  });
});

describe('redrive --file against the running local pipeline', () => {
  let dir: string;
  let pipeline: LocalPipeline;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'newcomer-redrive-'));
    pipeline = await startLocalPipeline({
      port: 0,
      localDir: dir,
      env: { PATH: process.env.PATH },
      persist: false,
      functionConcurrency: 2,
      mapping: { maximumBatchingWindowSeconds: 0.1 },
      pollIntervalMs: 100,
    });
  });

  afterAll(async () => {
    await pipeline?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('finds the pipeline like replay --local does and puts the batch back, as the console actions do', async () => {
    // Prepare: an accepted event, then a dead letter naming its record, as the poller writes them.
    const fixture = fromProxyEvent(
      JSON.parse(readFileSync(join(projectRoot, 'events', 'ingest', 'gitlab-push.json'), 'utf8')),
    );
    const request = signWebhook({ env: {}, ...fixture });
    expect((await postWebhook(pipeline.url, request)).status).toBe(202);
    const sinks = new Sinks(dir);
    await waitFor('the first execution', async () =>
      (await sinks.executions()).length === 1 ? true : undefined,
    );
    const kinesis = emulatorKinesisClient(pipeline.endpoints.kinesis as string);
    const put = await kinesis.send(
      new PutRecordCommand({
        StreamName: LOCAL_NAMES.stream,
        PartitionKey: 'redrive-test',
        Data: Buffer.from(
          JSON.stringify({ ...(await sinks.busEntries()).map((entry) => JSON.parse(entry.Detail))[0] }),
        ),
      }),
    );
    kinesis.destroy();
    const file = localPaths(dir).deadLetters;
    const deadLetter = `${JSON.stringify({
      requestContext: { condition: 'RetryAttemptsExhausted' },
      KinesisBatchInfo: {
        shardId: put.ShardId,
        startSequenceNumber: put.SequenceNumber,
        endSequenceNumber: put.SequenceNumber,
        batchSize: 1,
        streamArn: LOCAL_ARNS.stream,
      },
    })}\n`;
    writeFileSync(file, deadLetter);

    // Act: a fresh shell, no region, no credentials.
    const result = await cli('scripts/redrive.ts', ['--file', file], { LOCAL_DIR: dir });

    // Assert: redriven, the dead letter removed, and the event went through the workflow again.
    expect(result.stderr).not.toContain('Region is missing');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('1 redriven (1 records)');
    expect(readFileSync(file, 'utf8')).toBe('');
    const executions = await waitFor('the redriven execution', async () => {
      const lines = await sinks.executions();
      return lines.filter((line) => line.eventId === request.deliveryId).length >= 3 ? lines : undefined;
    });
    expect(executions.every((line) => line.status === 'SUCCEEDED')).toBe(true);

    // The console's actions do the same from the page: redrive a dead letter, replay from the lake.
    writeFileSync(file, deadLetter);
    const forged = await fetch(`${pipeline.url}/api/dead-letters/1/redrive`, { method: 'POST' });
    expect(forged.status).toBe(403);
    const lettersBefore = await consoleApi<{ deadLetters: { line: number }[] }>('/api/dead-letters');
    const redriven = await consoleApi<{ ok: boolean; message: string }>(
      '/api/dead-letters/1/redrive',
      'POST',
    );
    expect(lettersBefore.deadLetters.map((letter) => letter.line)).toEqual([1]);
    expect(redriven).toEqual(
      expect.objectContaining({ ok: true, message: expect.stringContaining('1 record(s)') }),
    );
    expect(readFileSync(file, 'utf8')).toBe('');

    const { rows } = await consoleApi<{ rows: { key: string; eventKey?: string }[] }>(
      '/api/deliveries?source=gitlab',
    );
    const key = rows.find((row) => row.eventKey === `gitlab:${request.deliveryId}`)?.key as string;
    const replayed = await waitFor('the event in the lake, replayed', async () => {
      const answer = await consoleApi<{ ok: boolean; message: string }>(
        `/api/deliveries/${key}/replay`,
        'POST',
      );
      return answer.ok ? answer : undefined;
    });
    expect(replayed.message).toBe('replayed from the lake: 1 put on the stream, 0 failed');
    await waitFor('the replayed execution', async () => {
      const lines = await sinks.executions();
      return lines.filter((line) => line.eventId === request.deliveryId).length >= 5 ? true : undefined;
    });
  });

  it('npm run events lists the deliveries the console shows', async () => {
    const live = await cli('local/events.ts', ['--source', 'gitlab', '--json'], { LOCAL_DIR: dir });
    const table = await cli('local/events.ts', ['--status', 'accepted'], { LOCAL_DIR: dir });

    expect(live.code).toBe(0);
    const rows = JSON.parse(live.stdout) as { source: string; verdict: string; outcome?: string }[];
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((row) => row.source === 'gitlab' && row.verdict === 'accepted')).toBe(true);
    expect(rows[0]?.outcome).toBe('SUCCEEDED');
    expect(table.stdout).toMatch(/gitlab +Push Hook +mike\/diaspora/);
    expect(table.stderr).toContain(`(live, from ${pipeline.url})`);
  });

  async function consoleApi<T>(path: string, method = 'GET'): Promise<T> {
    const response = await fetch(`${pipeline.url}${path}`, {
      method,
      ...(method === 'POST' && { headers: { 'x-console-action': '1' } }),
    });
    return (await response.json()) as T;
  }
});
