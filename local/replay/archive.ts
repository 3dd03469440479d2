import { readdir, readFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { GetObjectCommand, paginateListObjectsV2, type S3Client } from '@aws-sdk/client-s3';

/** Where archived envelopes are read from: the lake bucket (or a prefix of it), or a local copy of it. */
export type ArchiveLocation =
  | { kind: 's3'; bucket: string; prefix: string }
  | { kind: 'folder'; path: string };

export function parseLocation(from: string): ArchiveLocation {
  const s3 = /^s3:\/\/([^/]+)\/?(.*)$/.exec(from);
  if (s3?.[1]) return { kind: 's3', bucket: s3[1], prefix: s3[2] ?? '' };
  return { kind: 'folder', path: from };
}

/** One archived object and the partition values its key carries (lake layout: `name=value` segments). */
export interface ArchiveObject {
  key: string;
  source?: string;
  dt?: string;
  type?: string;
}

const ARCHIVE_EXTENSIONS = /\.(gz|json|ndjson|jsonl)$/;
/** Firehose's failed records and Athena's query results share the lake bucket but are not envelopes. */
const NOT_ARCHIVE = /^(errors|athena-results)\//;

export function describeKey(key: string): ArchiveObject {
  const object: ArchiveObject = { key };
  for (const segment of key.split('/')) {
    const match = /^(source|dt|type)=(.+)$/.exec(segment);
    if (match?.[1] && match[2]) object[match[1] as 'source' | 'dt' | 'type'] = match[2];
  }
  return object;
}

async function* walk(root: string, dir = root): AsyncGenerator<string> {
  const entries = await readdir(dir, { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    if (entry.name.startsWith('.')) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* walk(root, path);
    else if (entry.isFile()) yield relative(root, path).split(sep).join('/');
  }
}

/** Every archive object under the location, in key order. */
export async function listArchive(location: ArchiveLocation, s3: S3Client): Promise<ArchiveObject[]> {
  const keys: string[] = [];
  if (location.kind === 'folder') {
    for await (const key of walk(location.path)) keys.push(key);
  } else {
    const pages = paginateListObjectsV2({ client: s3 }, { Bucket: location.bucket, Prefix: location.prefix });
    for await (const page of pages) {
      for (const object of page.Contents ?? []) if (object.Key) keys.push(object.Key);
    }
  }
  return keys
    .filter((key) => ARCHIVE_EXTENSIONS.test(key) && !NOT_ARCHIVE.test(key))
    .sort()
    .map(describeKey);
}

export async function readArchiveObject(
  location: ArchiveLocation,
  key: string,
  s3: S3Client,
): Promise<Uint8Array> {
  if (location.kind === 'folder') return readFile(join(location.path, key));
  const response = await s3.send(new GetObjectCommand({ Bucket: location.bucket, Key: key }));
  if (!response.Body) throw new Error(`s3://${location.bucket}/${key} has no body`);
  return response.Body.transformToByteArray();
}
