import { randomBytes, randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { isIPv4, isIPv6 } from 'node:net';
import { join } from 'node:path';
import { XMLBuilder, XMLParser } from 'fast-xml-parser';
import { closeServer, listen } from '../servers';
import type { RunningFake } from './aws-json';

/**
 * Development defaults of the local pipeline: the fake hosted zone `home.example.com` (DNS_ZONE overrides
 * the name) with a fixed id, and every name below it allowed (DNS_ALLOWED_NAMES overrides).
 */
export const LOCAL_DNS_ZONE_ID = 'Z0LOCALHOMEZONE';
export const LOCAL_DNS_ZONE_NAME = 'home.example.com';

export interface HostedZone {
  zoneName: string;
  zoneId: string;
}

export function localDnsZone(env = process.env): HostedZone {
  const zoneName = (env.DNS_ZONE || LOCAL_DNS_ZONE_NAME).toLowerCase().replace(/\.$/, '');
  return { zoneName, zoneId: LOCAL_DNS_ZONE_ID };
}

/** Template parameter values for the local pipeline (DnsHostedZoneId... have empty defaults: DNS off). */
export function localDnsParameters(env = process.env): Record<string, string> {
  const { zoneName, zoneId } = localDnsZone(env);
  return {
    DnsHostedZoneId: zoneId,
    DnsZoneName: zoneName,
    DnsAllowedNames: env.DNS_ALLOWED_NAMES || `*.${zoneName}`,
    DnsAllowPrivateAddresses: env.DNS_ALLOW_PRIVATE_ADDRESSES || 'false',
  };
}

/** A record set as Route 53's JSON (and the AWS CLI) shows it: names fully qualified. */
export interface RecordSet {
  Name: string;
  Type: string;
  TTL?: number;
  ResourceRecords?: Array<{ Value: string }>;
}

/** The contract file `${localDir}/route53/<zone>.json`. */
export interface ZoneFile {
  HostedZone: { Id: string; Name: string };
  ResourceRecordSets: RecordSet[];
}

export interface Route53FakeOptions extends HostedZone {
  /** Called after each applied change (the local pipeline prints a line). */
  onChange?: (change: { action: string; record: RecordSet }) => void;
}

const NS = 'https://route53.amazonaws.com/doc/2013-04-01/';
const RRSET_PATH = /^\/2013-04-01\/hostedzone\/([^/]+)\/rrset\/?$/;

class Route53Error extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const fqdn = (name: string) => `${name.toLowerCase().replace(/\.$/, '')}.`;
/** Route 53 lists record sets by name with labels reversed (com.example.www), then by type. */
const sortKey = (name: string) => fqdn(name).slice(0, -1).split('.').reverse().join('.');
const compare = (a: RecordSet, b: RecordSet) =>
  sortKey(a.Name).localeCompare(sortKey(b.Name)) || a.Type.localeCompare(b.Type);

function newZone({ zoneName, zoneId }: HostedZone): ZoneFile {
  const apex = fqdn(zoneName);
  return {
    HostedZone: { Id: `/hostedzone/${zoneId}`, Name: apex },
    // What Route 53 creates with a zone; the values are local placeholders.
    ResourceRecordSets: [
      { Name: apex, Type: 'NS', TTL: 172800, ResourceRecords: [{ Value: 'ns-local.invalid.' }] },
      {
        Name: apex,
        Type: 'SOA',
        TTL: 900,
        ResourceRecords: [{ Value: `ns-local.invalid. hostmaster.${apex} 1 7200 900 1209600 86400` }],
      },
    ],
  };
}

const parser = new XMLParser({
  ignoreAttributes: true,
  parseTagValue: false,
  isArray: (name) => name === 'Change' || name === 'ResourceRecord',
});
const builder = new XMLBuilder({ ignoreAttributes: false, attributeNamePrefix: '@_' });

function xml(root: string, body: Record<string, unknown>): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n${builder.build({ [root]: { '@_xmlns': NS, ...body } })}`;
}

function toXmlRecord(record: RecordSet): Record<string, unknown> {
  return {
    Name: record.Name,
    Type: record.Type,
    TTL: record.TTL,
    ResourceRecords: { ResourceRecord: record.ResourceRecords ?? [] },
  };
}

function listRecordSets(zone: ZoneFile, query: URLSearchParams): string {
  const name = query.get('name');
  const type = query.get('type');
  const maxItems = Math.min(Number(query.get('maxitems') ?? 300) || 300, 300);
  if (type && !name) throw new Route53Error(400, 'InvalidInput', 'type requires name');
  const start: RecordSet = { Name: name ?? '', Type: type ?? '' };
  const sorted = [...zone.ResourceRecordSets].sort(compare);
  const from = name ? sorted.filter((record) => compare(record, start) >= 0) : sorted;
  const page = from.slice(0, maxItems);
  const next = from[maxItems];
  return xml('ListResourceRecordSetsResponse', {
    ResourceRecordSets: page.length ? { ResourceRecordSet: page.map(toXmlRecord) } : '',
    IsTruncated: next !== undefined,
    ...(next ? { NextRecordName: next.Name, NextRecordType: next.Type } : {}),
    MaxItems: maxItems,
  });
}

interface XmlChange {
  Action?: string;
  ResourceRecordSet?: {
    Name?: string;
    Type?: string;
    TTL?: string;
    ResourceRecords?: { ResourceRecord?: Array<{ Value?: string }> };
  };
}

function invalid(message: string): Route53Error {
  return new Route53Error(400, 'InvalidChangeBatch', `[${message}]`);
}

/** Applies one change the way Route 53 validates it; only UPSERT, the one action our code sends. */
function applyChange(zone: ZoneFile, change: XmlChange): RecordSet {
  const set = change.ResourceRecordSet;
  if (change.Action !== 'UPSERT')
    throw new Route53Error(400, 'InvalidInput', 'the local fake implements UPSERT only');
  if (!set?.Name || !set.Type || set.TTL === undefined)
    throw new Route53Error(400, 'InvalidInput', 'Name, Type and TTL are required');
  const name = fqdn(set.Name);
  if (name !== zone.HostedZone.Name && !name.endsWith(`.${zone.HostedZone.Name}`)) {
    throw invalid(`RRSet with DNS name ${name} is not permitted in zone ${zone.HostedZone.Name}`);
  }
  const values = (set.ResourceRecords?.ResourceRecord ?? []).map((record) => ({
    Value: String(record.Value ?? ''),
  }));
  const validValue = set.Type === 'A' ? isIPv4 : set.Type === 'AAAA' ? isIPv6 : () => true;
  const bad = values.find((record) => !validValue(record.Value));
  if (values.length === 0 || bad) throw invalid(`Invalid Resource Record: ${bad?.Value ?? 'none given'}`);
  const others = zone.ResourceRecordSets.filter((record) => record.Name === name);
  // A CNAME cannot share its name with any other record type.
  const conflict = others.find((r) => r.Type !== set.Type && (r.Type === 'CNAME' || set.Type === 'CNAME'));
  if (conflict) {
    throw invalid(
      `RRSet of type ${set.Type} with DNS name ${name} is not permitted because a conflicting RRSet of type ${conflict.Type} with the same DNS name already exists`,
    );
  }
  const record: RecordSet = { Name: name, Type: set.Type, TTL: Number(set.TTL), ResourceRecords: values };
  zone.ResourceRecordSets = [
    ...zone.ResourceRecordSets.filter((r) => !(r.Name === name && r.Type === set.Type)),
    record,
  ].sort(compare);
  return record;
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

async function loadZone(path: string, zone: HostedZone): Promise<ZoneFile> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as ZoneFile;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    return newZone(zone);
  }
}

/**
 * A local Route 53 on the real REST-XML wire format, for the calls the DNS updater makes
 * (ListResourceRecordSets, ChangeResourceRecordSets). The zone's record sets persist in
 * `${localDir}/route53/<zone>.json` across restarts. Changes apply at once (status INSYNC).
 */
export async function startRoute53Fake(
  localDir: string,
  options: Route53FakeOptions = localDnsZone(),
): Promise<RunningFake> {
  const path = join(localDir, 'route53', `${options.zoneName}.json`);
  await mkdir(join(localDir, 'route53'), { recursive: true });
  const zone = await loadZone(path, options);
  let saved = Promise.resolve();
  // Writes are chained and atomic (temp file + rename): a reader never sees a half-written zone.
  const save = () => {
    const text = `${JSON.stringify(zone, null, 2)}\n`;
    saved = saved.then(async () => {
      await writeFile(`${path}.tmp`, text);
      await rename(`${path}.tmp`, path);
    });
    return saved;
  };
  await save();

  async function route(request: IncomingMessage): Promise<string> {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const match = RRSET_PATH.exec(url.pathname);
    if (!match)
      throw new Route53Error(404, 'InvalidAction', `${request.method} ${url.pathname} is not supported`);
    if (decodeURIComponent(match[1] ?? '') !== options.zoneId) {
      throw new Route53Error(404, 'NoSuchHostedZone', `No hosted zone found with ID: ${match[1]}`);
    }
    if (request.method === 'GET') return listRecordSets(zone, url.searchParams);
    if (request.method !== 'POST')
      throw new Route53Error(405, 'InvalidAction', `${request.method} is not supported`);
    const batch = parser.parse(await readBody(request))?.ChangeResourceRecordSetsRequest?.ChangeBatch;
    const changes = (batch?.Changes?.Change ?? []) as XmlChange[];
    if (changes.length === 0) throw new Route53Error(400, 'InvalidInput', 'ChangeBatch has no changes');
    // All or nothing, like Route 53: validate every change on a copy, then keep it.
    const draft: ZoneFile = structuredClone(zone);
    const applied = changes.map((change) => applyChange(draft, change));
    zone.ResourceRecordSets = draft.ResourceRecordSets;
    await save();
    for (const record of applied) options.onChange?.({ action: 'UPSERT', record });
    const changeInfo = {
      Id: `/change/C${randomBytes(10).toString('hex').toUpperCase()}`,
      Status: 'INSYNC',
      SubmittedAt: new Date().toISOString(),
      ...(batch?.Comment ? { Comment: String(batch.Comment) } : {}),
    };
    return xml('ChangeResourceRecordSetsResponse', { ChangeInfo: changeInfo });
  }

  const server = createServer((request, response: ServerResponse) => {
    const answer = (status: number, body: string) => {
      response.writeHead(status, { 'content-type': 'text/xml', 'x-amzn-requestid': randomUUID() });
      response.end(body);
    };
    route(request).then(
      (body) => answer(200, body),
      (error: unknown) => {
        const failure =
          error instanceof Route53Error ? error : new Route53Error(500, 'InternalFailure', String(error));
        const type = failure.status < 500 ? 'Sender' : 'Receiver';
        const body = {
          Error: { Type: type, Code: failure.code, Message: failure.message },
          RequestId: randomUUID(),
        };
        answer(failure.status, xml('ErrorResponse', body));
      },
    );
  });
  const url = await listen(server);
  return {
    url,
    close: async () => {
      await closeServer(server);
      await saved;
    },
  };
}
