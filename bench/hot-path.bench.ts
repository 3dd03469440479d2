import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { deployedFunctions } from '../scripts/lambda-env';
import type { BenchRow } from './types';

/**
 * Per-request CPU of the ingest and authorizer handlers and per-record CPU of the dispatcher, each as a
 * ratio to its floor, measured in a child process that has the function's deployed environment (log
 * level, metrics on, tracing as the template sets it). See hot-path.child.ts.
 */
const FUNCTIONS = ['IngestFunction', 'AuthorizerFunction', 'DispatcherFunction'];

function measure(logicalId: string, env: Record<string, string>): Promise<BenchRow[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(__dirname, 'hot-path.child.ts'), logicalId],
      {
        env: { ...env, PATH: process.env.PATH ?? '' },
        // The functions' own log lines and metrics documents go where Lambda's would: out of the way.
        stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      },
    );
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    let rows: BenchRow[] | undefined;
    child.on('message', (message: { rows?: BenchRow[]; error?: string }) => {
      if (message.rows) rows = message.rows;
      else reject(new Error(`${logicalId}: ${message.error}`));
      child.kill();
    });
    child.on('exit', () =>
      rows
        ? resolve(rows)
        : reject(new Error(`${logicalId} measurement ended without rows: ${stderr.slice(-2000)}`)),
    );
  });
}

export async function run(): Promise<BenchRow[]> {
  const deployed = new Map(deployedFunctions().map((fn) => [fn.logicalId, fn]));
  const rows: BenchRow[] = [];
  for (const logicalId of FUNCTIONS) {
    const fn = deployed.get(logicalId);
    if (!fn) throw new Error(`${logicalId} is not in the template`);
    // Unsampled, as most requests are at X-Ray's default sampling.
    const env = {
      ...fn.env,
      _X_AMZN_TRACE_ID: 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=0',
    };
    rows.push(...(await measure(logicalId, env)));
  }
  return rows;
}
