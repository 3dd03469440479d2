import { readdir } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { localPaths } from '../names';
import { appendLine, readLines } from '../ndjson';
import type { BusEntrySummary, Detail, ExecutionSummary, Filters, RequestRecord, Row } from './types';

/** What the pipeline did with one event (`source:id`), gathered from the sinks as they are written. */
interface EventInfo {
  key: string;
  source: string;
  id: string;
  type?: string;
  action?: string;
  subject?: string;
  envelope?: Record<string, unknown>;
  executions: ExecutionSummary[];
  index?: string;
  findings: Record<string, unknown>[];
  alarms: Detail['alarms'];
  dns: Record<string, unknown>[];
  busEntries: BusEntrySummary[];
  /** Rows showing this event: the requests that became it, or one `event:` row when none did. */
  rows: Set<string>;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const text = (value: unknown) => (typeof value === 'string' ? value : undefined);

/** The file of the console's own record: every request the local API answered. */
export const requestsFile = (dir: string) => join(dir, 'requests.ndjson');

/**
 * The console's in-memory index of every delivery and what became of it. It is loaded once from the
 * files under the local directory, then fed each line as the pipeline appends it (see ndjson.ts
 * `onAppend`), so it never rescans files however many events `.local` holds.
 */
export class DeliveryStore {
  private readonly rows = new Map<string, Row>();
  private readonly requests = new Map<string, RequestRecord>();
  private readonly events = new Map<string, EventInfo>();
  private readonly listeners = new Set<(row: Row) => void>();
  private readonly deadLetterListeners = new Set<() => void>();
  private readonly paths: ReturnType<typeof localPaths>;

  constructor(readonly dir: string) {
    this.paths = localPaths(dir);
  }

  /** Reads what earlier runs recorded; call once, before the pipeline accepts requests. */
  async load(): Promise<void> {
    const quietly = <T>(lines: Promise<T[]>) => lines.catch(() => [] as T[]);
    for (const line of await quietly(readLines(requestsFile(this.dir))))
      this.apply(requestsFile(this.dir), line);
    for (const line of await quietly(readLines(this.paths.executions)))
      this.apply(this.paths.executions, line);
    for (const folder of [this.paths.eventbridge, this.paths.sns]) {
      const files = await readdir(folder).catch(() => [] as string[]);
      for (const name of files.filter((file) => file.endsWith('.ndjson'))) {
        const path = join(folder, name);
        for (const line of await quietly(readLines(path))) this.apply(path, line);
      }
    }
  }

  subscribe(listener: (row: Row) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Told when the poller writes a dead letter (the page lists them with a redrive action). */
  onDeadLetter(listener: () => void): () => void {
    this.deadLetterListeners.add(listener);
    return () => this.deadLetterListeners.delete(listener);
  }

  /** Records one answered request (persisted, so the console shows it after a restart). */
  async record(request: RequestRecord): Promise<void> {
    await appendLine(requestsFile(this.dir), request);
  }

  /** Adds the reason a step logged after the answer was recorded (the authorizer's 401s). */
  async amend(requestId: string, reason: string): Promise<void> {
    // The request's own line may still be on its way to the file; appends to one file keep their order.
    if (this.requests.get(requestId)?.reason === reason) return;
    await appendLine(requestsFile(this.dir), { amend: requestId, reason });
  }

  /** One line appended to a file under the local directory (other files are ignored). */
  apply(path: string, line: unknown): void {
    if (!isRecord(line)) return;
    if (path === requestsFile(this.dir)) this.applyRequest(line);
    else if (path === this.paths.executions) this.applyExecution(line);
    else if (dirname(path) === this.paths.eventbridge) this.applyBusEntry(line);
    else if (dirname(path) === this.paths.sns) this.applyAlarm(basename(path, '.ndjson'), line);
    else if (path === this.paths.deadLetters) for (const listener of this.deadLetterListeners) listener();
  }

  list(filters: Filters, textMatches?: Set<string>): { rows: Row[]; total: number } {
    const wanted = (row: Row) => {
      if (filters.source && row.source !== filters.source) return false;
      if (filters.type && row.type !== filters.type) return false;
      if (filters.subject && !(row.subject ?? '').toLowerCase().includes(filters.subject.toLowerCase()))
        return false;
      if (filters.status && !statusMatches(row, filters.status)) return false;
      if (filters.q) {
        const q = filters.q.toLowerCase();
        const own = [row.source, row.type, row.action, row.subject, row.deliveryId, row.reason, row.eventKey]
          .filter(Boolean)
          .some((field) => String(field).toLowerCase().includes(q));
        if (!own && !(row.eventKey && textMatches?.has(row.eventKey))) return false;
      }
      return true;
    };
    const all = [...this.rows.values()].filter(wanted);
    const limit = filters.limit ?? 200;
    // Rows are kept in arrival order; the newest come first.
    return { rows: all.slice(-limit).reverse(), total: all.length };
  }

  /** Every distinct value of a row field, for the filter menus. */
  values(field: 'source' | 'type'): string[] {
    return [...new Set([...this.rows.values()].map((row) => row[field]).filter(Boolean) as string[])].sort();
  }

  row(key: string): Row | undefined {
    return this.rows.get(key);
  }

  request(key: string): RequestRecord | undefined {
    return this.requests.get(key);
  }

  /** Everything known about one row, except the document, which the caller reads from the search store. */
  detail(key: string): (Omit<Detail, 'document'> & { index?: string }) | undefined {
    const row = this.rows.get(key);
    if (!row) return undefined;
    const event = row.eventKey ? this.events.get(row.eventKey) : undefined;
    return {
      row,
      ...(this.requests.has(key) && { request: this.requests.get(key) }),
      ...(event?.envelope && { envelope: event.envelope }),
      executions: event?.executions ?? [],
      findings: event?.findings ?? [],
      alarms: event?.alarms ?? [],
      dns: event?.dns ?? [],
      busEntries: event?.busEntries ?? [],
      ...(event?.index && { index: event.index }),
    };
  }

  private applyRequest(line: Record<string, unknown>): void {
    if (typeof line.amend === 'string') {
      const request = this.requests.get(line.amend);
      const row = this.rows.get(line.amend);
      if (!request || !row) return;
      request.reason = text(line.reason);
      row.reason = request.reason;
      this.emit(row);
      return;
    }
    const request = line as unknown as RequestRecord;
    this.requests.set(request.requestId, request);
    const accepted = request.status >= 200 && request.status < 300;
    const row: Row = {
      key: request.requestId,
      time: request.time,
      source: request.source,
      verdict: accepted ? 'accepted' : 'refused',
      status: request.status,
      findings: 0,
      ...(request.type && { type: request.type }),
      ...(request.reason && { reason: request.reason }),
      ...(request.eventKey && {
        eventKey: request.eventKey,
        deliveryId: request.eventKey.split(':').slice(1).join(':'),
      }),
      ...(accepted && { outcome: 'pending' }),
    };
    this.rows.set(row.key, row);
    if (request.eventKey) {
      const event = this.event(request.eventKey);
      event.rows.add(row.key);
      this.refresh(event);
    } else this.emit(row);
  }

  private event(key: string): EventInfo {
    let event = this.events.get(key);
    if (!event) {
      const [source = '', ...rest] = key.split(':');
      event = {
        key,
        source,
        id: rest.join(':'),
        executions: [],
        findings: [],
        alarms: [],
        dns: [],
        busEntries: [],
        rows: new Set(),
      };
      this.events.set(key, event);
    }
    return event;
  }

  /** An event seen in a sink but never through the API gets a row of its own. */
  private ensureRow(event: EventInfo, time: string): void {
    if (event.rows.size > 0) return;
    const key = `event:${event.key}`;
    this.rows.set(key, {
      key,
      time,
      source: event.source,
      verdict: 'stream',
      eventKey: event.key,
      deliveryId: event.id,
      findings: 0,
    });
    event.rows.add(key);
  }

  private applyExecution(line: Record<string, unknown>): void {
    const source = text(line.source);
    const id = text(line.eventId);
    if (!source || !id) return;
    const event = this.event(`${source}:${id}`);
    event.type ??= text(line.type);
    event.action ??= text(line.action);
    const execution = line as unknown as ExecutionSummary;
    event.executions.push({
      id: execution.id,
      status: execution.status,
      statesVisited: execution.statesVisited,
      startDate: execution.startDate,
      stopDate: execution.stopDate,
      ms: execution.ms,
      ...(execution.error && { error: execution.error }),
      ...(execution.cause && { cause: execution.cause }),
      ...(execution.results !== undefined && { results: execution.results }),
    });
    const results = isRecord(execution.results) ? execution.results : {};
    const index = isRecord(results.index) ? text(results.index.index) : undefined;
    if (index) event.index = index;
    this.ensureRow(event, execution.startDate);
    this.refresh(event);
  }

  private applyBusEntry(line: Record<string, unknown>): void {
    let detail: unknown;
    try {
      detail = JSON.parse(String(line.Detail));
    } catch {
      return;
    }
    if (!isRecord(detail)) return;
    const source = String(line.Source);
    let key: string | undefined;
    let shown: unknown = detail;
    if (source === 'webhooks.compliance') {
      key = `${text(detail.source)}:${text(detail.eventId)}`;
    } else if (source === 'webhooks.dns') {
      key = `ddns:${text(detail.uuid)}`;
    } else if (text(detail.source) && text(detail.id)) {
      key = `${detail.source}:${detail.id}`;
      // The published detail is the envelope: kept once, without the payload the document holds.
      const { payload: _payload, ...envelope } = detail;
      shown = { ...envelope, payload: '(the payload, as in the document)' };
    }
    if (!key || key.includes('undefined')) return;
    const event = this.event(key);
    if (source === 'webhooks.compliance') event.findings.push(detail);
    else if (source === 'webhooks.dns') event.dns.push(detail);
    else {
      const { payload: _payload, ...envelope } = detail;
      event.envelope = envelope;
      event.type ??= text(detail.type);
      event.action ??= text(detail.action);
      event.subject = text(detail.subject) ?? event.subject;
    }
    event.busEntries.push({
      EventId: String(line.EventId),
      Time: String(line.Time),
      EventBusName: String(line.EventBusName),
      Source: source,
      DetailType: String(line.DetailType),
      Detail: shown,
    });
    this.ensureRow(event, String(line.Time));
    this.refresh(event);
  }

  private applyAlarm(topic: string, line: Record<string, unknown>): void {
    const message = String(line.Message ?? '');
    const attributes = isRecord(line.MessageAttributes) ? line.MessageAttributes : {};
    const source = isRecord(attributes.source) ? text(attributes.source.Value) : undefined;
    // The alarm names its event in the message body (compliance/publish.ts alertMessage).
    const id = /\(delivery ([^,\s)]+)/.exec(message)?.[1];
    if (!source || !id) return;
    const event = this.event(`${source}:${id}`);
    event.alarms.push({
      topic,
      ...(text(line.Subject) && { Subject: text(line.Subject) }),
      Message: message,
      Timestamp: String(line.Timestamp),
    });
    this.refresh(event);
  }

  /** Copies the event's state onto its rows and tells the listeners. */
  private refresh(event: EventInfo): void {
    const last = event.executions.at(-1);
    for (const key of event.rows) {
      const row = this.rows.get(key);
      if (!row) continue;
      if (event.type) row.type = event.type;
      if (event.action) row.action = event.action;
      if (event.subject) row.subject = event.subject;
      row.findings = event.findings.length;
      if (last) {
        row.outcome = last.status;
        row.steps = last.statesVisited;
      }
      this.emit(row);
    }
  }

  private emit(row: Row): void {
    for (const listener of this.listeners) listener(row);
  }
}

function statusMatches(row: Row, status: string): boolean {
  switch (status) {
    case 'accepted':
    case 'refused':
      return row.verdict === status;
    case 'failed':
      return row.outcome !== undefined && !['SUCCEEDED', 'pending'].includes(row.outcome);
    case 'succeeded':
      return row.outcome === 'SUCCEEDED';
    case 'pending':
      return row.outcome === 'pending';
    case 'findings':
      return row.findings > 0;
    default:
      return String(row.status) === status;
  }
}
