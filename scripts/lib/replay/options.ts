import { parseArgs } from 'node:util';
import type { ReplayOptions } from '../../../local/replay/replay';

export const REPLAY_USAGE = `npm run replay -- --from <s3://bucket/prefix | folder> [options]

Re-puts archived envelopes onto the stream, in receive order per partition key (source:subject).

  --from <location>   the lake (s3://<lake bucket>/events/ or a narrower prefix) or a local folder of
                      archived files (GZIP or plain newline-delimited JSON)
  --since <ISO time>  only events received at or after this time
  --until <ISO time>  only events received before this time
  --source <s[,s]>    only these sources (github, gitlab, ...)
  --type <t[,t]>      only these event types (push, pull_request, ...)
  --stream <name>     the stream to put onto (default: $STREAM_NAME, else webhook-stream)
  --local             use the local pipeline's emulators (npm start), from $LOCAL_DIR/endpoints.json
  --dry-run           read and filter only; put nothing
`;

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export interface CliOptions extends ReplayOptions {
  local: boolean;
  help: boolean;
}

function time(name: string, value: string | undefined): Date | undefined {
  if (value === undefined) return undefined;
  const date = new Date(value);
  if (Number.isNaN(date.getTime()))
    throw new UsageError(`--${name} must be an ISO-8601 time, got "${value}"`);
  return date;
}

function list(value: string | undefined): string[] | undefined {
  const items = value
    ?.split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
  return items && items.length > 0 ? items : undefined;
}

export function parseReplayArgs(args: string[], env: NodeJS.ProcessEnv = process.env): CliOptions {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args,
      options: {
        from: { type: 'string' },
        since: { type: 'string' },
        until: { type: 'string' },
        source: { type: 'string' },
        type: { type: 'string' },
        stream: { type: 'string' },
        local: { type: 'boolean', default: false },
        'dry-run': { type: 'boolean', default: false },
        help: { type: 'boolean', default: false },
      },
    }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const help = values.help === true;
  const from = values.from as string | undefined;
  if (!from && !help) throw new UsageError('--from is required');
  const since = time('since', values.since as string | undefined);
  const until = time('until', values.until as string | undefined);
  if (since && until && since >= until) throw new UsageError('--since must be before --until');
  const sources = list(values.source as string | undefined);
  const types = list(values.type as string | undefined);
  return {
    from: from ?? '',
    stream: (values.stream as string | undefined) ?? env.STREAM_NAME ?? 'webhook-stream',
    dryRun: values['dry-run'] === true,
    local: values.local === true,
    help,
    ...(since && { since }),
    ...(until && { until }),
    ...(sources && { sources }),
    ...(types && { types }),
  };
}
