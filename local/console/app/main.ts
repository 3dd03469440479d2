import htm from 'htm';
import { h, render } from 'preact';
import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { ActionResult, DeadLetter, Detail, Row } from '../types';

/*
 * The local console's page: the deliveries, newest first, live over server-sent events; filters; the
 * detail of one delivery; resend, replay and redrive. Preact with htm templates: no build step of its own
 * beyond the project's esbuild bundle, and nothing loaded from the network.
 */
const html = htm.bind(h);

type Filters = { source: string; type: string; subject: string; status: string; q: string };
const EMPTY: Filters = { source: '', type: '', subject: '', status: '', q: '' };

async function getJson<T>(url: string, init?: RequestInit): Promise<T> {
  const response = await fetch(url, init);
  return (await response.json()) as T;
}

function query(filters: Filters): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(filters))
    if (value.trim() !== '') params.set(name, value.trim());
  return params.toString();
}

const time = (iso: string) => iso.slice(11, 23);
const pretty = (value: unknown) => JSON.stringify(value, null, 2);

function statusLabel(row: Row): string {
  if (row.verdict === 'refused') return `refused ${row.status ?? ''}`;
  if (row.verdict === 'stream') return 'from the stream';
  return `accepted ${row.status ?? ''}`;
}

function outcomeClass(row: Row): string {
  if (row.verdict === 'refused') return 'bad';
  if (row.outcome === 'SUCCEEDED') return 'good';
  if (row.outcome === 'pending' || row.outcome === undefined) return 'wait';
  return 'bad';
}

function RowView({ row, selected, onOpen }: { row: Row; selected: boolean; onOpen: (key: string) => void }) {
  return html`<tr class=${selected ? 'selected' : ''} data-key=${row.key}>
    <td><time datetime=${row.time}>${time(row.time)}</time></td>
    <td>${row.source}</td>
    <td>${row.type ?? ''}${row.action ? html` <span class="muted">${row.action}</span>` : ''}</td>
    <td class="subject">${row.subject ?? ''}</td>
    <td>
      <button type="button" class="link" onClick=${() => onOpen(row.key)} aria-label=${`open delivery ${row.deliveryId ?? row.key}`}>
        <code title=${row.deliveryId ?? row.key}>${(row.deliveryId ?? row.key).slice(0, 13)}…</code>
      </button>
    </td>
    <td><span class="badge ${outcomeClass(row)}">${statusLabel(row)}</span></td>
    <td class="reason">${row.verdict === 'refused' ? (row.reason ?? '') : row.outcome === 'pending' ? 'in the pipeline…' : `${row.outcome ?? ''}${row.findings > 0 ? ` · ${row.findings} finding(s)` : ''}`}</td>
  </tr>`;
}

function Section({ title, children, empty }: { title: string; children?: unknown; empty?: boolean }) {
  return html`<section class="block"><h3>${title}</h3>${empty ? html`<p class="muted">none</p>` : children}</section>`;
}

function DetailView({
  detail,
  onAction,
  onClose,
}: {
  detail: Detail;
  onAction: (path: string) => void;
  onClose: () => void;
}) {
  const { row, request } = detail;
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), [row.key]);
  const document = detail.document;
  return html`<aside class="detail" aria-label="delivery detail">
    <header>
      <h2 tabindex="-1" ref=${heading}>${row.source} ${row.type ?? ''} <code>${row.deliveryId ?? row.key}</code></h2>
      <button type="button" onClick=${onClose} aria-label="close the detail">Close</button>
    </header>
    <p><span class="badge ${outcomeClass(row)}">${statusLabel(row)}</span> ${row.verdict === 'refused' ? html`<strong class="why">Refused: ${row.reason ?? 'no reason recorded'}</strong>` : ''}</p>
    <div class="actions">
      ${request && html`<button type="button" onClick=${() => onAction(`/api/deliveries/${encodeURIComponent(row.key)}/resend`)}>Resend</button>`}
      ${detail.envelope && html`<button type="button" onClick=${() => onAction(`/api/deliveries/${encodeURIComponent(row.key)}/replay`)}>Replay from the lake</button>`}
    </div>
    ${
      request &&
      html`<${Section} title="Request">
      <p>${request.method} ${request.path} · ${request.status} in ${request.ms} ms · ${request.bodyBytes} bytes${request.truncated ? ' (recorded in part)' : ''}</p>
      <table class="headers"><caption>Headers (credentials masked)</caption><tbody>
        ${Object.entries(request.headers).map(([name, value]) => html`<tr><th scope="row">${name}</th><td><code>${value}</code></td></tr>`)}
      </tbody></table>
      <details><summary>Body</summary><pre>${request.bodyEncoding === 'utf8' ? request.body : `(base64) ${request.body}`}</pre></details>
      <details><summary>Response</summary><pre>${request.response}</pre></details>
    <//>`
    }
    <${Section} title="Envelope" empty=${!detail.envelope}><pre>${pretty(detail.envelope)}</pre><//>
    <${Section} title="Workflow executions" empty=${detail.executions.length === 0}>
      ${detail.executions.map(
        (execution) => html`<div class="execution">
          <p><span class="badge ${execution.status === 'SUCCEEDED' ? 'good' : 'bad'}">${execution.status}</span> ${execution.ms} ms · ${time(execution.startDate)}</p>
          <ol class="states">${execution.statesVisited.map((state) => html`<li>${state}</li>`)}</ol>
          ${execution.error && html`<p class="why">${execution.error}: ${execution.cause}</p>`}
          <details><summary>Results</summary><pre>${pretty(execution.results)}</pre></details>
        </div>`,
      )}
    <//>
    <${Section} title="Document" empty=${!document}>
      ${document && html`<p>index <code>${document.index}</code>, id <code>${document.id}</code></p><details><summary>Source</summary><pre>${pretty(document.source)}</pre></details>`}
    <//>
    <${Section} title="Findings and alarms" empty=${detail.findings.length + detail.alarms.length === 0}>
      <ul>${detail.findings.map((finding) => {
        const rule = (finding.rule ?? {}) as Record<string, unknown>;
        return html`<li><strong>${String(finding.severity ?? '').toUpperCase()}</strong> ${String(rule.id ?? '')}: ${String(rule.title ?? '')}</li>`;
      })}</ul>
      <ul>${detail.alarms.map((alarm) => html`<li>alarm on <code>${alarm.topic}</code>: ${alarm.Subject ?? alarm.Message.slice(0, 120)}</li>`)}</ul>
    <//>
    <${Section} title="DNS change" empty=${detail.dns.length === 0}><pre>${pretty(detail.dns)}</pre><//>
    <${Section} title="Bus entries" empty=${detail.busEntries.length === 0}>
      <ul>${detail.busEntries.map((entry) => html`<li><code>${entry.Source}</code> ${entry.DetailType} on ${entry.EventBusName} · ${time(entry.Time)}</li>`)}</ul>
    <//>
  </aside>`;
}

function DeadLetters({ onAction, version }: { onAction: (path: string) => void; version: number }) {
  const [letters, setLetters] = useState<DeadLetter[]>([]);
  useEffect(() => {
    getJson<{ deadLetters: DeadLetter[] }>('/api/dead-letters').then((body) => setLetters(body.deadLetters));
  }, [version]);
  if (letters.length === 0) return null;
  return html`<section class="block dead" aria-label="dead letters">
    <h2>Dead letters</h2>
    <ul>${letters.map(
      (
        letter,
      ) => html`<li>${letter.timestamp ?? ''} ${letter.condition ?? ''}: ${letter.batchSize} record(s) of ${letter.shardId}
        <button type="button" onClick=${() => onAction(`/api/dead-letters/${letter.line}/redrive`)}>Redrive</button></li>`,
    )}</ul>
  </section>`;
}

function App() {
  const [filters, setFilters] = useState<Filters>(EMPTY);
  const [rows, setRows] = useState<Row[]>([]);
  const [total, setTotal] = useState(0);
  const [choices, setChoices] = useState<{ sources: string[]; types: string[] }>({ sources: [], types: [] });
  const [open, setOpen] = useState<string | undefined>(undefined);
  const [detail, setDetail] = useState<Detail | undefined>(undefined);
  const [message, setMessage] = useState('');
  const [live, setLive] = useState(false);
  const [version, setVersion] = useState(0);
  const [deadLetterVersion, setDeadLetterVersion] = useState(0);
  const filtering = useMemo(() => query(filters) !== '', [filters]);

  // Only the latest list request may fill the table: typing in a filter sends several.
  const latest = useRef(0);
  const load = useCallback(() => {
    const ticket = ++latest.current;
    getJson<{ rows: Row[]; total: number; sources: string[]; types: string[] }>(
      `/api/deliveries?${query(filters)}`,
    ).then((body) => {
      if (ticket !== latest.current) return;
      setRows(body.rows);
      setTotal(body.total);
      setChoices({ sources: body.sources, types: body.types });
    });
  }, [filters]);

  useEffect(load, [load]);

  const refresh = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useEffect(() => {
    const stream = new EventSource('/api/stream');
    stream.onopen = () => setLive(true);
    stream.onerror = () => setLive(false);
    stream.addEventListener('dead-letter', () => setDeadLetterVersion((value) => value + 1));
    stream.addEventListener('row', (event) => {
      const row = JSON.parse((event as MessageEvent<string>).data) as Row;
      setVersion((value) => value + 1);
      if (filtering) {
        // Whether a changed row matches the filters is the server's call: ask again, at most every 300 ms.
        clearTimeout(refresh.current);
        refresh.current = setTimeout(load, 300);
        return;
      }
      setRows((current) => {
        const index = current.findIndex((candidate) => candidate.key === row.key);
        if (index >= 0) return current.map((candidate) => (candidate.key === row.key ? row : candidate));
        setTotal((value) => value + 1);
        return [row, ...current].slice(0, 500);
      });
    });
    return () => stream.close();
  }, [filtering, load]);

  useEffect(() => {
    if (!open) return setDetail(undefined);
    // An answer that arrives after the detail was closed or changed is dropped.
    let current = true;
    getJson<Detail>(`/api/deliveries/${encodeURIComponent(open)}`).then((found) => {
      if (current) setDetail(found);
    });
    return () => {
      current = false;
    };
  }, [open, version]);

  // Closing the detail puts the focus back on the row it was opened from.
  const opener = useRef<string | undefined>(undefined);
  const close = useCallback(() => setOpen(undefined), []);
  useEffect(() => {
    if (open) {
      opener.current = open;
      return;
    }
    const key = opener.current;
    opener.current = undefined;
    if (key) document.querySelector<HTMLElement>(`tr[data-key="${CSS.escape(key)}"] button`)?.focus();
  }, [open]);

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'Escape') close();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [close]);

  const act = async (path: string) => {
    setMessage('working…');
    const result = await getJson<ActionResult>(path, {
      method: 'POST',
      headers: { 'x-console-action': '1' },
    });
    setMessage(`${result.ok ? 'Done' : 'Not done'}: ${result.message}`);
    setVersion((value) => value + 1);
    setDeadLetterVersion((value) => value + 1);
  };

  const field = (name: keyof Filters) => (event: Event) =>
    setFilters({ ...filters, [name]: (event.target as HTMLInputElement).value });

  return html`<div class=${open ? 'layout with-detail' : 'layout'}>
    <header class="top">
      <h1>Webhook pipeline <span class="muted">local console</span></h1>
      <p class="live" aria-live="polite">${live ? '● live' : '○ reconnecting…'} · ${total} deliveries</p>
    </header>
    <form class="filters" role="search" onSubmit=${(event: Event) => event.preventDefault()}>
      <label>Source <select name="source" value=${filters.source} onChange=${field('source')}>
        <option value="">all</option>${choices.sources.map((source) => html`<option value=${source}>${source}</option>`)}
      </select></label>
      <label>Type <select name="type" value=${filters.type} onChange=${field('type')}>
        <option value="">all</option>${choices.types.map((type) => html`<option value=${type}>${type}</option>`)}
      </select></label>
      <label>Subject <input name="subject" value=${filters.subject} onInput=${field('subject')} placeholder="owner/repo" /></label>
      <label>Status <select name="status" value=${filters.status} onChange=${field('status')}>
        <option value="">all</option><option value="accepted">accepted</option><option value="refused">refused</option>
        <option value="succeeded">succeeded</option><option value="failed">failed</option><option value="pending">pending</option>
        <option value="findings">with findings</option>
      </select></label>
      <label class="grow">Search <input name="q" type="search" value=${filters.q} onInput=${field('q')} placeholder="text in the indexed documents, ids, reasons" /></label>
      ${filtering && html`<button type="button" onClick=${() => setFilters(EMPTY)}>Clear</button>`}
    </form>
    <p class="message" role="status" aria-live="polite">${message}</p>
    <${DeadLetters} onAction=${act} version=${deadLetterVersion} />
    <main>
      <table class="deliveries">
        <caption class="visually-hidden">Deliveries, newest first</caption>
        <thead><tr><th scope="col">Time</th><th scope="col">Source</th><th scope="col">Type</th><th scope="col">Subject</th><th scope="col">Delivery</th><th scope="col">Status</th><th scope="col">Outcome or reason</th></tr></thead>
        <tbody>${rows.map((row) => html`<${RowView} key=${row.key} row=${row} selected=${row.key === open} onOpen=${setOpen} />`)}</tbody>
      </table>
      ${rows.length === 0 && html`<p class="empty">No deliveries yet. Try <code>npm run send -- events/ingest/github-push.json</code>.</p>`}
    </main>
    ${detail && html`<${DetailView} detail=${detail} onAction=${act} onClose=${close} />`}
  </div>`;
}

render(html`<${App} />`, document.getElementById('app') as HTMLElement);
