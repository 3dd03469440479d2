import { readFileSync } from 'node:fs';
import { localDir, localPaths } from '../../../local/names';

/**
 * Points the AWS SDK at the running local pipeline (`npm start`), which records its emulators' endpoints
 * in `${LOCAL_DIR:-.local}/endpoints.json`. Must run before any client module is loaded: clients read
 * the standard endpoint settings once, when they are created.
 */
export function useLocalPipeline(env: NodeJS.ProcessEnv = process.env): { kinesis: string; s3: string } {
  const path = localPaths(localDir(env.LOCAL_DIR)).endpoints;
  let recorded: Record<string, unknown>;
  try {
    recorded = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  } catch (error) {
    throw new Error(`--local: cannot read ${path} (is \`npm start\` running?): ${(error as Error).message}`);
  }
  const endpoints = (recorded.endpoints ?? recorded) as Record<string, unknown>;
  const { kinesis, s3 } = endpoints;
  if (typeof kinesis !== 'string' || typeof s3 !== 'string') {
    throw new Error(`--local: ${path} names no kinesis and s3 endpoints`);
  }
  env.AWS_ENDPOINT_URL_KINESIS = kinesis;
  env.AWS_ENDPOINT_URL_S3 = s3;
  env.AWS_REGION ??= 'us-east-1';
  // The emulators accept any signature, but the SDK refuses to send unsigned requests.
  env.AWS_ACCESS_KEY_ID ??= 'local';
  env.AWS_SECRET_ACCESS_KEY ??= 'local';
  return { kinesis, s3 };
}

/** For the CLI's first import: applies `--local` before the client modules are loaded. */
export function applyLocalFlag(argv: string[] = process.argv): void {
  if (!argv.includes('--local')) return;
  try {
    useLocalPipeline();
  } catch (error) {
    console.error((error as Error).message);
    process.exit(2);
  }
}
