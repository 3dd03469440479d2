import { startLocalPipeline } from './pipeline';

/**
 * `npm start`: the whole pipeline on this machine (see README, "Local pipeline"). Prints `ready <url>`
 * once it accepts webhooks, then one line per event as it moves; Ctrl-C stops everything cleanly.
 */
async function main(): Promise<void> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const verbose = /^(debug|info)$/i.test(process.env.LOG_LEVEL ?? '');
  const pipeline = await startLocalPipeline({
    warm: true,
    onActivity: (line) => console.log(line),
    // Functions log at WARN unless LOG_LEVEL says otherwise; whatever they log is shown, prefixed.
    onFunctionLog: (logicalId, line) => console.error(`[${logicalId}] ${line}`),
    ...(verbose && { logLevel: (process.env.LOG_LEVEL as string).toUpperCase() }),
  });
  console.log(`state in ${pipeline.localDir}`);
  for (const [name, url] of Object.entries(pipeline.endpoints)) console.log(`  ${name.padEnd(11)} ${url}`);
  console.log(`  ${'console'.padEnd(11)} ${pipeline.url}/ (open it in a browser)`);
  console.log(`ready ${pipeline.url}`);

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) {
      // A second signal while stopping: the user insists.
      process.exit(1);
    }
    stopping = true;
    console.log(`${signal}: stopping`);
    pipeline.stop().then(
      () => {
        console.log('stopped');
        process.exit(0);
      },
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  };
  // Any stop signal stops everything: Ctrl-C, `kill <pid>`, a closed terminal. The npm script runs this
  // with `exec`, so `kill` of the npm process reaches it rather than an intermediate shell.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => stop(signal));
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
