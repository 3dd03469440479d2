import { parseArgs } from 'node:util';
import { DeliveryStore } from './console/store';
import type { Filters, Row } from './console/types';
import { localDir } from './names';
import { runningPipeline } from './pipeline';

const usage = `npm run events -- [--source <source>] [--type <type>] [--subject <text>] [--status <status>]
                      [--q <text>] [--limit <n>] [--json]

Lists the deliveries of the local pipeline, newest first, as the console at the \`ready\` URL shows them.
--status is accepted, refused, succeeded, failed, pending, findings or an HTTP status (403). --q matches
ids, reasons and subjects, and, while \`npm start\` runs, the text of the indexed documents. Without a
running pipeline it reads what LOCAL_DIR holds. --json prints the rows as JSON (one array).`;

function line(row: Row): string {
  const what = [row.type, row.action].filter(Boolean).join(' ');
  const status = row.verdict === 'stream' ? 'stream' : `${row.verdict} ${row.status ?? ''}`;
  const outcome =
    row.verdict === 'refused'
      ? (row.reason ?? '')
      : `${row.outcome ?? ''}${row.findings > 0 ? `, ${row.findings} finding(s)` : ''}`;
  return [
    row.time.replace('T', ' ').slice(0, 23),
    row.source.padEnd(10),
    what.padEnd(28).slice(0, 28),
    (row.subject ?? '-').padEnd(28).slice(0, 28),
    (row.deliveryId ?? row.key).padEnd(36),
    status.padEnd(12),
    outcome,
  ].join('  ');
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      source: { type: 'string' },
      type: { type: 'string' },
      subject: { type: 'string' },
      status: { type: 'string' },
      q: { type: 'string' },
      limit: { type: 'string', default: '50' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(usage);
    return 0;
  }
  const limit = Number(values.limit);
  if (!Number.isSafeInteger(limit) || limit < 1) {
    console.error(`--limit must be a positive integer\n\n${usage}`);
    return 2;
  }
  const filters: Filters = { limit };
  for (const name of ['source', 'type', 'subject', 'status', 'q'] as const) {
    if (values[name]) filters[name] = values[name];
  }
  const dir = localDir();
  const running = runningPipeline(dir);
  let rows: Row[];
  let total: number;
  if (running) {
    // The running pipeline's index is current and searches the documents too.
    const params = new URLSearchParams(
      Object.entries(filters).map(([name, value]): [string, string] => [name, String(value)]),
    );
    const response = await fetch(`${running.url}/api/deliveries?${params}`);
    ({ rows, total } = (await response.json()) as { rows: Row[]; total: number });
  } else {
    const store = new DeliveryStore(dir);
    await store.load();
    ({ rows, total } = store.list(filters));
  }
  if (values.json) {
    console.log(JSON.stringify(rows, null, 2));
    return 0;
  }
  for (const row of rows) console.log(line(row));
  console.error(
    `${rows.length} of ${total} deliveries in ${dir}${running ? ` (live, from ${running.url})` : ''}`,
  );
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
