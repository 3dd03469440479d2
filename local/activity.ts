import { open, readdir, readFile, stat } from 'node:fs/promises';
import { basename, join, relative } from 'node:path';
import { localPaths } from './names';

/**
 * The console's "one readable line per event as it moves": it follows what lands in the local sinks
 * (executions, OpenSearch documents, bus entries, SNS messages, Route 53 zones, dead letters), so what it
 * prints is what actually happened, whoever wrote it. Files are polled rather than watched because
 * recursive fs.watch is not portable and a few hundred milliseconds of delay do not matter here.
 */
export class ActivityFeed {
  private readonly offsets = new Map<string, number>();
  private readonly documents = new Map<string, number>();
  private readonly zones = new Map<string, Map<string, string>>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(
    private readonly dir: string,
    private readonly print: (line: string) => void,
    /** Task state names of the workflow, so "routed" lines list the steps that ran, not every state. */
    private readonly taskNames: Set<string> = new Set(),
  ) {}

  /** Starts following; what is already in the sinks (an earlier run) is not printed again. */
  async start(intervalMs = 300): Promise<void> {
    await this.scan(true);
    this.timer = setInterval(() => {
      this.running ??= this.scan(false)
        .catch(() => undefined)
        .finally(() => {
          this.running = undefined;
        });
    }, intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
    await this.scan(false).catch(() => undefined);
  }

  accepted(event: { source: string; status: number; body: string; ms: number }): void {
    let detail = event.body;
    try {
      const body = JSON.parse(event.body) as Record<string, unknown>;
      detail = [body.type, body.id ?? body.error, body.message]
        .filter((part) => part !== undefined)
        .join(' ');
    } catch {
      // Not JSON: show it as it came.
    }
    const verb = event.status >= 200 && event.status < 300 ? 'accepted' : 'rejected';
    this.emit(verb, `${event.source} ${detail} (${event.status}, ${event.ms} ms)`);
  }

  private emit(kind: string, text: string): void {
    this.print(`${new Date().toISOString().slice(11, 23)} ${kind.padEnd(11)} ${text}`);
  }

  private async scan(baseline: boolean): Promise<void> {
    const paths = localPaths(this.dir);
    const quiet = baseline ? () => undefined : undefined;
    await this.follow(paths.executions, quiet ?? ((line) => this.execution(line)));
    await this.follow(paths.deadLetters, quiet ?? ((line) => this.deadLetter(line)));
    for (const file of await listFiles(paths.eventbridge, '.ndjson')) {
      await this.follow(file, quiet ?? ((line) => this.busEntry(basename(file, '.ndjson'), line)));
    }
    for (const file of await listFiles(paths.sns, '.ndjson')) {
      await this.follow(file, quiet ?? ((line) => this.snsMessage(basename(file, '.ndjson'), line)));
    }
    await this.scanDocuments(paths.opensearch, baseline);
    for (const file of await listFiles(paths.route53, '.json')) await this.scanZone(file, baseline);
  }

  /** Reads the complete lines appended to a file since the last look. */
  private async follow(file: string, onLine: (line: Record<string, unknown>) => void): Promise<void> {
    const size = await stat(file).then(
      (info) => info.size,
      () => 0,
    );
    const from = this.offsets.get(file) ?? 0;
    if (size <= from) return;
    const handle = await open(file, 'r');
    try {
      const buffer = Buffer.alloc(size - from);
      await handle.read(buffer, 0, buffer.length, from);
      const text = buffer.toString('utf8');
      const end = text.lastIndexOf('\n') + 1;
      this.offsets.set(file, from + Buffer.byteLength(text.slice(0, end)));
      for (const line of text.slice(0, end).split('\n')) {
        if (line.trim() === '') continue;
        try {
          onLine(JSON.parse(line) as Record<string, unknown>);
        } catch {
          // A line another writer is still completing is read on the next pass.
        }
      }
    } finally {
      await handle.close();
    }
  }

  private execution(line: Record<string, unknown>): void {
    const visited = (line.statesVisited as string[] | undefined) ?? [];
    const steps = this.taskNames.size > 0 ? visited.filter((state) => this.taskNames.has(state)) : visited;
    const what = [line.source, line.type, line.action].filter(Boolean).join(' ');
    const failure =
      line.status === 'SUCCEEDED' ? '' : ` ${line.error ?? ''}: ${String(line.cause ?? '').slice(0, 200)}`;
    this.emit(
      'routed',
      `${what} ${line.eventId ?? ''} ${line.status} -> ${steps.join(', ')} (${line.ms} ms)${failure}`,
    );
  }

  private busEntry(bus: string, line: Record<string, unknown>): void {
    let detail: Record<string, unknown> = {};
    try {
      detail = JSON.parse(String(line.Detail)) as Record<string, unknown>;
    } catch {
      // Printed without detail.
    }
    const source = String(line.Source);
    if (source === 'webhooks.compliance') {
      const rule = (detail.rule ?? {}) as Record<string, unknown>;
      const fields = [
        String(detail.severity ?? rule.severity ?? '').toUpperCase(),
        detail.ruleId ?? rule.id,
        detail.title ?? rule.title,
        detail.repository ?? detail.subject,
      ];
      this.emit('finding', fields.filter((field) => field !== undefined && field !== '').join(' '));
    } else if (source === 'webhooks.dns') {
      const fields = [detail.outcome, detail.domain, detail.recordType, detail.ip, detail.reason];
      this.emit('dns', fields.filter((field) => field !== undefined).join(' '));
    } else {
      this.emit('published', `${source} ${String(line.DetailType)} ${detail.id ?? ''} on ${bus}`);
    }
  }

  private snsMessage(topic: string, line: Record<string, unknown>): void {
    this.emit(
      'alarm',
      `sns ${topic}: ${String(line.Subject ?? line.subject ?? line.Message ?? '').slice(0, 160)}`,
    );
  }

  private deadLetter(line: Record<string, unknown>): void {
    const info = (line.KinesisBatchInfo ?? {}) as Record<string, unknown>;
    const context = (line.requestContext ?? {}) as Record<string, unknown>;
    this.emit(
      'dead-letter',
      `${info.shardId} ${info.batchSize} record(s) ${info.startSequenceNumber}..${info.endSequenceNumber} (${context.condition})`,
    );
  }

  private async scanDocuments(root: string, baseline: boolean): Promise<void> {
    for (const file of await listFiles(root, '.json', true)) {
      const mtime = await stat(file).then(
        (info) => info.mtimeMs,
        () => 0,
      );
      const seen = this.documents.get(file);
      if (seen === mtime) continue;
      this.documents.set(file, mtime);
      if (baseline) continue;
      const index = relative(root, file).split('/')[0];
      const id = decodeURIComponent(basename(file, '.json'));
      this.emit('indexed', `${index} ${id}${seen === undefined ? '' : ' (overwritten)'}`);
    }
  }

  /** Route 53 zone files: prints the record sets that changed since the last look. */
  private async scanZone(file: string, baseline: boolean): Promise<void> {
    let records: Map<string, string>;
    try {
      records = recordSets(JSON.parse(await readFile(file, 'utf8')));
    } catch {
      return;
    }
    const previous = this.zones.get(file);
    this.zones.set(file, records);
    if (baseline) return;
    for (const [key, value] of records) {
      if (previous?.get(key) !== value)
        this.emit('route53', `${basename(file, '.json')}: ${key} -> ${value}`);
    }
  }
}

/** `name type` -> values of every record set found anywhere in a zone file. */
function recordSets(zone: unknown): Map<string, string> {
  const found = new Map<string, string>();
  const visit = (node: unknown) => {
    if (Array.isArray(node)) {
      for (const item of node) visit(item);
      return;
    }
    if (typeof node !== 'object' || node === null) return;
    const record = node as Record<string, unknown>;
    if (typeof record.Name === 'string' && typeof record.Type === 'string') {
      const values = ((record.ResourceRecords ?? []) as { Value?: string }[]).map((item) => item.Value);
      found.set(`${record.Name} ${record.Type}`, values.join(','));
      return;
    }
    for (const value of Object.values(record)) visit(value);
  };
  visit(zone);
  return found;
}

async function listFiles(dir: string, suffix: string, recursive = false): Promise<string[]> {
  let entries: import('node:fs').Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  const files: string[] = [];
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isFile() && entry.name.endsWith(suffix)) files.push(path);
    else if (recursive && entry.isDirectory()) files.push(...(await listFiles(path, suffix, true)));
  }
  return files;
}
