import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { Parser } from 'node-sql-parser';
import { lakeLine } from '../../functions/lib/lake/one-line';
import { lakePartition } from '../../local/lake';
import { loadTemplate, projectRoot } from '../../local/template';
import {
  type ArchivedEvent,
  daysAgo,
  githubPayload,
  githubRecord,
  prettyGithubRecord,
  streamRecord,
} from './support';

const template = loadTemplate();
const queriesDir = join(projectRoot, 'athena', 'queries');
const queryFiles = readdirSync(queriesDir).filter((file) => file.endsWith('.sql'));
const sqlOf = (name: string) => readFileSync(join(queriesDir, `${name}.sql`), 'utf8');
const namedQueries = Object.entries(template.Resources)
  .filter(([, r]) => r.Type === 'AWS::Athena::NamedQuery')
  .map(([id, r]) => ({ id, ...(r.Properties as { Name: string; QueryString: string; Database: unknown }) }));

describe('named queries in the template', () => {
  it('has one named query per file in athena/queries', () => {
    expect(namedQueries.map((query) => `${query.Name}.sql`).sort()).toEqual([...queryFiles].sort());
    expect(queryFiles).toHaveLength(4);
  });

  it.each(namedQueries)('$Name is the same SQL as its file (CloudFormation cannot read files)', (query) => {
    expect(query.QueryString).toBe(sqlOf(query.Name));
    expect(query.Database).toEqual({ Ref: 'LakeDatabase' });
  });

  it.each(queryFiles)('%s parses as Trino (Athena engine 3) SQL over the events table', (file) => {
    const sql = readFileSync(join(queriesDir, file), 'utf8');
    const parser = new Parser();

    expect(() => parser.astify(sql, { database: 'trino' })).not.toThrow();
    expect(parser.tableList(sql, { database: 'trino' })).toContain('select::null::events');
  });
});

/**
 * The queries run unchanged in DuckDB over a lake written in Firehose's layout. DuckDB spells three
 * Trino functions differently; these macros give it the Trino names (the queries themselves are not
 * rewritten). payload is DuckDB JSON where Athena has the OpenX SerDe's JSON text: both work with the
 * JSON functions the queries use.
 */
const TRINO_NAMES = [
  'CREATE MACRO json_extract_scalar(j, p) AS json_extract_string(j, p)',
  'CREATE MACRO from_iso8601_timestamp(s) AS CAST(s AS TIMESTAMPTZ)',
  'CREATE MACRO date_format(t, f) AS strftime(t, f)',
];

function duckType(glueType: string, column: string): string {
  if (column === 'payload') return 'JSON';
  return glueType
    .replace(/map<string,string>/g, 'MAP(VARCHAR, VARCHAR)')
    .replace(/struct<(.*)>/g, (_, fields: string) => `STRUCT(${fields.replace(/(\w+):(\w+)/g, '$1 $2')})`)
    .replace(/\bstring\b/g, 'VARCHAR')
    .replace(/\bbigint\b/g, 'BIGINT');
}

/** The Glue table of the template as a DuckDB view: same columns, JSON keys matched case-insensitively. */
function eventsView(lakeDir: string, envelopeKeys: string[]): string {
  const table = template.Resources.LakeEventsTable?.Properties?.TableInput as {
    StorageDescriptor: { Columns: Array<{ Name: string; Type: string }> };
  };
  const columns = table.StorageDescriptor.Columns;
  const keyOf = (column: string) => envelopeKeys.find((key) => key.toLowerCase() === column) ?? column;
  const jsonColumns = columns.map((c) => `"${keyOf(c.Name)}": '${duckType(c.Type, c.Name)}'`).join(', ');
  const selected = columns.map((c) => `"${keyOf(c.Name)}" AS ${c.Name}`).join(', ');
  return `CREATE VIEW events AS SELECT ${selected}, source, dt FROM read_json('${lakeDir}/events/**/*.json.gz',
    format = 'newline_delimited', hive_partitioning = true,
    hive_types = {'source': 'VARCHAR', 'dt': 'VARCHAR', 'type': 'VARCHAR'}, columns = {${jsonColumns}})`;
}

/**
 * Writes records where and as the deployed Firehose would: each through the lake transform (one line,
 * newline appended), one GZIP object per partition.
 */
function writeLake(dir: string, records: ArchivedEvent[]): void {
  const partitions = new Map<string, Buffer[]>();
  for (const record of records) {
    const transformed = lakeLine(Buffer.from(record.text));
    const partition = transformed.ok ? lakePartition(transformed.line) : undefined;
    if (!transformed.ok || !partition) throw new Error('fixture record is not an envelope');
    const prefix = `events/source=${partition.source}/dt=${partition.dt}/type=${partition.type}`;
    partitions.set(prefix, [...(partitions.get(prefix) ?? []), transformed.line]);
  }
  for (const [prefix, lines] of partitions) {
    const path = join(dir, prefix, 'webhook-lake-1-fixture.json.gz');
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, gzipSync(Buffer.concat(lines)));
  }
}

describe('named queries over a fixture lake (DuckDB)', () => {
  let dir: string;
  let instance: DuckDBInstance;
  let db: DuckDBConnection;
  const rows = async (name: string) => (await db.runAndReadAll(sqlOf(name))).getRowObjectsJson();

  // Real GitHub payloads, changed only where a query needs a value the examples lack.
  const merged = githubPayload('pull_request', (p) => p.action === 'closed');
  const pullRequest = merged.pull_request as Record<string, unknown>;
  pullRequest.merged = true;
  pullRequest.merged_at = new Date(
    Date.parse(String(pullRequest.created_at)) + 26.5 * 3600_000,
  ).toISOString();
  const mergedLongAgo = structuredClone(merged);
  (mergedLongAgo.pull_request as Record<string, unknown>).number = 99;
  const startedIn = (year: string) =>
    githubPayload(
      'workflow_job',
      (p) =>
        p.action === 'in_progress' &&
        String((p.workflow_job as { created_at?: string }).created_at).startsWith(year),
    );
  const startedJobs = [startedIn('2021'), startedIn('2023')];
  const publicized = githubPayload('repository', (p) => p.action === 'publicized');
  (publicized.sender as Record<string, unknown>).login = 'octo-admin';
  const otherPublicized = structuredClone(publicized);
  (otherPublicized.repository as Record<string, unknown>).full_name = 'Codertocat/Old-Repo';

  // Two deliveries from senders that pretty-print: their stream records span many lines (LF and CRLF).
  const mergedRecord = prettyGithubRecord('pull_request', merged, daysAgo(2));
  const publicRecord = githubRecord('public', githubPayload('public'), daysAgo(3, 10));
  const publicizedRecord = prettyGithubRecord('repository', publicized, daysAgo(3, 11), '\r\n');
  const fixture: ArchivedEvent[] = [
    mergedRecord,
    mergedRecord, // archived twice (Firehose retry or a replay): counted once
    githubRecord('pull_request', mergedLongAgo, daysAgo(100)),
    githubRecord(
      'pull_request',
      githubPayload('pull_request', (p) => p.action === 'closed'),
      daysAgo(1),
    ), // closed unmerged
    githubRecord(
      'pull_request',
      githubPayload('pull_request', (p) => p.action === 'opened'),
      daysAgo(1),
    ),
    ...startedJobs.map((job) => githubRecord('workflow_job', job, daysAgo(1))),
    githubRecord(
      'workflow_job',
      githubPayload('workflow_job', (p) => p.action === 'in_progress'),
      daysAgo(1),
    ), // no created_at
    githubRecord(
      'workflow_job',
      githubPayload('workflow_job', (p) => p.action === 'queued'),
      daysAgo(1),
    ),
    githubRecord('workflow_job', startedJobs[0] as Record<string, unknown>, daysAgo(10)), // outside 7 days
    publicRecord,
    publicizedRecord,
    githubRecord('repository', otherPublicized, daysAgo(45)),
    githubRecord(
      'repository',
      githubPayload('repository', (p) => p.action === 'privatized'),
      daysAgo(3),
    ),
    streamRecord({
      source: 'gitlab',
      type: 'Push Hook',
      subject: 'group/app',
      receivedAt: daysAgo(1),
      body: { object_kind: 'push' },
    }),
    streamRecord({
      source: 'gitlab',
      type: 'Push Hook',
      subject: 'group/app',
      receivedAt: daysAgo(1, 13),
      body: { object_kind: 'push', n: 2 },
    }),
    streamRecord({
      source: 'jira',
      type: 'jira:issue_updated',
      subject: 'OPS',
      receivedAt: daysAgo(2),
      body: { webhookEvent: 'jira:issue_updated' },
    }),
  ];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'lake-'));
    writeLake(dir, fixture);
    instance = await DuckDBInstance.create(':memory:');
    db = await instance.connect();
    await db.run("SET TimeZone = 'UTC'"); // Athena evaluates current_date in UTC
    for (const macro of TRINO_NAMES) await db.run(macro);
    const keys = [...new Set(fixture.flatMap((record) => Object.keys(JSON.parse(record.text))))];
    await db.run(eventsView(dir, keys));
  });

  afterAll(() => {
    db?.closeSync();
    instance?.closeSync();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reads every archived record as one row, the pretty-printed deliveries too', async () => {
    const pretty = [mergedRecord, publicizedRecord];
    const all = await db.runAndReadAll('SELECT count(*) AS records FROM events');
    const ids = await db.runAndReadAll(
      `SELECT DISTINCT id FROM events WHERE id IN (${pretty.map((r) => `'${r.envelope.id}'`).join(', ')})`,
    );

    expect(pretty.map((record) => record.text.split('\n').length > 10)).toEqual([true, true]);
    expect(Number(all.getRowObjectsJson()[0]?.records)).toBe(fixture.length);
    expect(ids.getRowObjectsJson().map((row) => row.id)).toEqual(
      expect.arrayContaining(pretty.map((record) => record.envelope.id)),
    );
    expect(ids.getRowObjectsJson()).toHaveLength(pretty.length);
  });

  it('pull-request-lead-time: one row per pull request merged in the last 90 days', async () => {
    const result = await rows('pull-request-lead-time');

    expect(result).toHaveLength(1);
    expect(result[0]).toMatchObject({
      repository: mergedRecord.envelope.subject,
      pull_request: String(pullRequest.number), // BIGINT comes back as text
      title: pullRequest.title,
    });
    expect(Number(result[0]?.lead_time_hours)).toBe(26.5);
  });

  it('workflow-job-queue-time: seconds from queued to in progress, longest wait first', async () => {
    const result = await rows('workflow-job-queue-time');
    const expected = startedJobs
      .map((payload) => payload.workflow_job as Record<string, string>)
      .map((job) => ({
        job_id: Number(job.id),
        queue_seconds: (Date.parse(job.started_at as string) - Date.parse(job.created_at as string)) / 1000,
      }))
      .sort((a, b) => b.queue_seconds - a.queue_seconds);

    expect(
      result.map((row) => ({ job_id: Number(row.job_id), queue_seconds: Number(row.queue_seconds) })),
    ).toEqual(expected);
  });

  it('repositories-made-public: the last 30 days, one row per repository, latest actor', async () => {
    const result = await rows('repositories-made-public');

    expect(result).toHaveLength(1);
    expect(result[0]).toMatchObject({
      repository: publicizedRecord.envelope.subject,
      made_public_by: 'octo-admin',
    });
    expect(Date.parse(String(result[0]?.made_public_at).replace(' ', 'T').replace(/\+00$/, 'Z'))).toBe(
      Date.parse(publicizedRecord.envelope.receivedAt),
    );
  });

  it('events-per-source-per-day: distinct events per source and receive day', async () => {
    const result = await rows('events-per-source-per-day');
    const cutoff = daysAgo(30).toISOString().slice(0, 10);
    const expected = new Map<string, Set<string>>();
    for (const { envelope } of fixture) {
      const day = envelope.receivedAt.slice(0, 10);
      if (day < cutoff) continue;
      const key = `${envelope.source} ${day}`;
      expected.set(key, (expected.get(key) ?? new Set()).add(envelope.id));
    }

    expect(
      Object.fromEntries(result.map((row) => [`${row.source} ${row.event_date}`, Number(row.events)])),
    ).toEqual(Object.fromEntries([...expected].map(([key, ids]) => [key, ids.size])));
    expect(result.map((row) => String(row.event_date))).toEqual(
      [...result.map((row) => String(row.event_date))].sort().reverse(),
    );
  });
});
