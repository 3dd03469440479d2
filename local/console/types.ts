/** What the console's server and its page exchange (JSON over /api and the event stream). */

/** One request the local API answered, as recorded in `requests.ndjson` (credentials masked). */
export interface RequestRecord {
  requestId: string;
  time: string;
  source: string;
  method: string;
  path: string;
  status: number;
  ms: number;
  headers: Record<string, string>;
  /** The body as UTF-8 text, or base64 when it is not valid UTF-8; cut at the recording limit. */
  body: string;
  bodyEncoding: 'utf8' | 'base64';
  bodyBytes: number;
  truncated: boolean;
  response: string;
  /** Why it was refused, in the words of the step that refused it (authorizer or ingest). */
  reason?: string;
  /** `source:id` of the event an accepted request became. */
  eventKey?: string;
  type?: string;
}

/** A row of the list: one request, or an event that reached the stream another way (replay, redrive). */
export interface Row {
  key: string;
  time: string;
  source: string;
  type?: string;
  action?: string;
  subject?: string;
  deliveryId?: string;
  eventKey?: string;
  /** The HTTP status answered; absent for events that did not come through the API. */
  status?: number;
  verdict: 'accepted' | 'refused' | 'stream';
  reason?: string;
  /** The latest workflow execution's status, `pending` while none has finished. */
  outcome?: string;
  steps?: string[];
  findings: number;
}

export interface ExecutionSummary {
  id: string;
  status: string;
  statesVisited: string[];
  startDate: string;
  stopDate: string;
  ms: number;
  error?: string;
  cause?: string;
  results?: unknown;
}

export interface BusEntrySummary {
  EventId: string;
  Time: string;
  EventBusName: string;
  Source: string;
  DetailType: string;
  Detail: unknown;
}

export interface Detail {
  row: Row;
  request?: RequestRecord;
  envelope?: Record<string, unknown>;
  executions: ExecutionSummary[];
  document?: { index: string; id: string; source: Record<string, unknown> };
  findings: Record<string, unknown>[];
  alarms: { topic: string; Subject?: string; Message: string; Timestamp: string }[];
  dns: Record<string, unknown>[];
  busEntries: BusEntrySummary[];
}

export interface DeadLetter {
  line: number;
  timestamp?: string;
  condition?: string;
  shardId?: string;
  batchSize?: number;
  startSequenceNumber?: string;
  endSequenceNumber?: string;
}

export interface ActionResult {
  ok: boolean;
  message: string;
  detail?: unknown;
}

export interface Filters {
  source?: string;
  type?: string;
  subject?: string;
  status?: string;
  q?: string;
  limit?: number;
}
