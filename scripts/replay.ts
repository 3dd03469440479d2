// First: with --local it points the SDK at the local emulators before the client modules below load.
import './lib/replay/local-bootstrap';
import { kinesisClient } from '../functions/lib/clients/kinesis';
import { s3 } from '../functions/lib/clients/s3';
import { stderrProgress } from '../local/replay/progress';
import { formatSummary, replay } from '../local/replay/replay';
import { parseReplayArgs, REPLAY_USAGE, UsageError } from './lib/replay/options';

async function main(): Promise<number> {
  const options = parseReplayArgs(process.argv.slice(2));
  if (options.help) {
    console.log(REPLAY_USAGE);
    return 0;
  }
  const summary = await replay(options, {
    s3: s3().client,
    kinesis: kinesisClient,
    progress: stderrProgress(),
  });
  console.log(formatSummary(summary, options.dryRun));
  return summary.failed > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof UsageError) {
      console.error(`${error.message}\n\n${REPLAY_USAGE}`);
      process.exit(2);
    }
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
