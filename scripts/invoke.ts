import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { functionSpecs } from '../local/function-config';
import { localDir } from '../local/names';
import { runningPipeline, startLocalPipeline } from '../local/pipeline';
import { type InvokeOutcome, LocalLambda } from '../local/runtime/lambda';
import { buildAll } from './build';

const usage = `npm run invoke -- <LogicalId> <event.json>

Runs one function's bundle (dist/<LogicalId>/handler.js) with the event, with the template's environment,
like \`sam local invoke <LogicalId> -e <event.json>\`. With \`npm start\` running on the same LOCAL_DIR it
uses that pipeline's emulators and fakes (so what the function writes shows up there); otherwise it starts
them itself on the same LOCAL_DIR, without the API or the stream consumers, for the one invocation.
Function logs go to stderr, the result to stdout; the exit code is 1 when the function fails.`;

async function invokeOnce(logicalId: string, event: unknown): Promise<InvokeOutcome> {
  const dir = localDir();
  const onLog = (_: string, line: string) => console.error(line);
  const logLevel = (process.env.LOG_LEVEL ?? 'INFO').toUpperCase();
  const running = runningPipeline(dir);
  if (running) {
    console.error(`using the pipeline running at ${running.url} (pid ${running.pid})`);
    const spec = functionSpecs({
      env: process.env,
      endpoints: running,
      logLevel,
      maxConcurrency: 1,
      onLog,
    }).find((candidate) => candidate.logicalId === logicalId);
    if (!spec) throw new Error(`template.yaml has no function ${logicalId}`);
    const lambda = new LocalLambda(spec);
    try {
      return await lambda.invoke(event);
    } finally {
      await lambda.close();
    }
  }
  const pipeline = await startLocalPipeline({ port: 0, consume: false, logLevel, onFunctionLog: onLog });
  try {
    return await pipeline.invoke(logicalId, event);
  } finally {
    await pipeline.stop();
  }
}

async function main(): Promise<number> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: { help: { type: 'boolean', default: false } },
  });
  const [logicalId, file] = positionals;
  if (values.help || !logicalId || !file) {
    console.error(usage);
    return values.help ? 0 : 2;
  }
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const event: unknown = JSON.parse(readFileSync(file, 'utf8'));
  // Built here rather than by the npm script, so --help and usage errors answer at once.
  await buildAll();
  const started = Date.now();
  const outcome = await invokeOnce(logicalId, event);
  const ms = Date.now() - started;
  console.error(`REPORT ${logicalId} Duration: ${ms} ms (includes the cold start)`);
  console.log(JSON.stringify(outcome.ok ? outcome.payload : outcome.error, null, 2));
  return outcome.ok ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
