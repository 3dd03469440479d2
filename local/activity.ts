import { basename, dirname } from 'node:path';
import type { RecordSet } from './fakes/route53';
import { localPaths } from './names';

/**
 * The console's "one readable line per event as it moves": it is told each line the local sinks append
 * (executions, bus entries, SNS messages, dead letters; see ndjson.ts `onAppend`), each document the
 * OpenSearch stand-in writes and each Route 53 change, so what it prints is what actually happened,
 * whoever caused it, and it never rescans the files however many events `.local` holds.
 */
export class ActivityFeed {
  private readonly paths: ReturnType<typeof localPaths>;

  constructor(
    dir: string,
    private readonly print: (line: string) => void,
    /** Task state names of the workflow, so "routed" lines list the steps that ran, not every state. */
    private readonly taskNames: Set<string> = new Set(),
  ) {
    this.paths = localPaths(dir);
  }

  /** One line appended to a file of the local directory. */
  appended(path: string, value: unknown): void {
    if (typeof value !== 'object' || value === null) return;
    const line = value as Record<string, unknown>;
    if (path === this.paths.executions) this.execution(line);
    else if (path === this.paths.deadLetters) this.deadLetter(line);
    else if (dirname(path) === this.paths.eventbridge) this.busEntry(basename(path, '.ndjson'), line);
    else if (dirname(path) === this.paths.sns) this.snsMessage(basename(path, '.ndjson'), line);
  }

  indexed(document: { index: string; id: string; overwritten: boolean }): void {
    this.emit('indexed', `${document.index} ${document.id}${document.overwritten ? ' (overwritten)' : ''}`);
  }

  route53(zone: string, change: { action: string; record: RecordSet }): void {
    const values = (change.record.ResourceRecords ?? []).map((item) => item.Value).join(',');
    this.emit('route53', `${zone}: ${change.record.Name} ${change.record.Type} -> ${values}`);
  }

  accepted(event: { source: string; status: number; body: string; ms: number; reason?: string }): void {
    let detail = event.body;
    try {
      const body = JSON.parse(event.body) as Record<string, unknown>;
      detail = [body.type, body.id ?? body.error, event.reason ?? body.message]
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
}
