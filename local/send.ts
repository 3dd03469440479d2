import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { isSourceId } from '../functions/lib/envelope';
import { localDir } from './names';
import { runningPipeline } from './pipeline';
import { fromProxyEvent, postWebhook, signWebhook } from './signing';

const usage = `npm run send -- <fixture.json> [--source <source>] [--event <type>] [--url <base url>] [--keep-id] [--as-is]

<fixture.json> is an API Gateway event from events/ (its body and headers are sent, re-signed with the
local secret), an envelope (a step's input from events/: its payload is sent), or a raw webhook payload
(then --source is required; github, gitlab and bitbucket infer the event type unless --event names it).
  --url      base URL of the API (default: the running \`npm start\` of LOCAL_DIR, else http://127.0.0.1:\${PORT:-3000})
  --keep-id  keep the fixture's delivery id (a redelivery) instead of a fresh one
  --as-is    send an events/ fixture exactly as it is, unsigned (to see a rejection)`;

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      source: { type: 'string' },
      event: { type: 'string' },
      url: { type: 'string' },
      'keep-id': { type: 'boolean', default: false },
      'as-is': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  const [file] = positionals;
  if (values.help || !file) {
    console.error(usage);
    return values.help ? 0 : 2;
  }
  const json = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  const isProxyEvent = 'pathParameters' in json && 'headers' in json && 'body' in json;
  // A step's task input (events/indexer/..., events/compliance/...) is an envelope: its payload is sent.
  const envelope =
    !isProxyEvent && isSourceId(json.source) && typeof json.type === 'string' && 'payload' in json
      ? { source: json.source, type: json.type, body: Buffer.from(JSON.stringify(json.payload)) }
      : undefined;
  const fixture = isProxyEvent ? fromProxyEvent(json) : undefined;
  const source = values.source ?? fixture?.source ?? envelope?.source;
  if (!isSourceId(source)) {
    console.error(
      `--source must be one of the known sources (a raw payload needs it), got "${source ?? ''}"\n\n${usage}`,
    );
    return 2;
  }
  const request =
    values['as-is'] && fixture
      ? { source, headers: fixture.headers, body: fixture.body, deliveryId: '(as is)' }
      : signWebhook({
          source,
          body: fixture?.body ?? envelope?.body ?? readFileSync(file),
          ...(fixture && { headers: fixture.headers }),
          ...((values.event ?? envelope?.type) && { event: values.event ?? envelope?.type }),
          keepDeliveryId: values['keep-id'],
        });
  const running = runningPipeline(localDir())?.url;
  const url = values.url ?? running ?? `http://127.0.0.1:${process.env.PORT ?? 3000}`;
  let response: { status: number; body: string };
  try {
    response = await postWebhook(url, request);
  } catch (error) {
    // fetch says only "fetch failed"; its cause says why (ECONNREFUSED, ENOTFOUND...).
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    console.error(
      `cannot reach ${url}/webhooks/${source}: ${cause?.code ?? cause?.message ?? (error as Error).message}\n` +
        (values.url || running
          ? 'Is the API at that URL running?'
          : `No \`npm start\` is running on ${localDir()}. Start it in another terminal, or point send elsewhere ` +
            'with --url <base url> (or PORT, or LOCAL_DIR of the running pipeline).'),
    );
    return 3;
  }
  console.log(`POST ${url}/webhooks/${source} (delivery ${request.deliveryId}) -> ${response.status}`);
  console.log(response.body);
  return response.status >= 200 && response.status < 300 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
