import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { useLocalPipeline } from './replay/local-endpoints';

/**
 * `npm run redrive -- --file <dlq.ndjson>` redrives the local pipeline's dead letters: like `replay
 * --local`, it finds the running `npm start` (its endpoints.json) and points the SDK at its emulators, so
 * no region or credentials are needed. Runs before any client module loads.
 */
function fileArgument(argv: string[]): string | undefined {
  for (const [index, arg] of argv.entries()) {
    if (arg === '--file') return argv[index + 1];
    if (arg.startsWith('--file=')) return arg.slice('--file='.length);
  }
  return undefined;
}

const file = fileArgument(process.argv);
if (file !== undefined && !process.argv.includes('--queue-url')) {
  if (!existsSync(file)) {
    console.error(
      `no dead-letter file at ${resolve(file)}. The local pipeline writes .local/dlq.ndjson (under LOCAL_DIR) ` +
        'only once it gives up on a batch; with none there is nothing to redrive.',
    );
    process.exit(2);
  }
  try {
    useLocalPipeline();
  } catch (error) {
    console.error(
      `${(error as Error).message.replace(/^--local: /, '')}\nRedriving ${file} needs the pipeline running.`,
    );
    process.exit(2);
  }
}
