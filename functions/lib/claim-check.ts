import { createHash } from 'node:crypto';
import { s3 } from './clients/s3';
import type { Envelope, PayloadRef } from './envelope';

/**
 * Claim check: a body too large to travel inline (Kinesis, Step Functions and EventBridge all have lower
 * limits than API Gateway) is stored in S3 and the envelope carries a reference to it instead.
 */
/** A stored body: its reference, and the version S3 gave the object (on the versioned payload bucket). */
export interface StoredPayload extends PayloadRef {
  versionId?: string;
}

export async function storePayload(bucket: string, key: string, body: Buffer): Promise<StoredPayload> {
  const sha256 = createHash('sha256').update(body).digest('hex');
  const { sdk, client } = s3();
  const { VersionId } = await client.send(
    new sdk.PutObjectCommand({
      Bucket: bucket,
      Key: key,
      Body: body,
      ContentType: 'application/json',
      ChecksumSHA256: Buffer.from(sha256, 'hex').toString('base64'),
    }),
  );
  return { bucket, key, bytes: body.length, sha256, ...(VersionId && { versionId: VersionId }) };
}

/**
 * Best effort: removes a stored body whose envelope never reached the stream. Ingest may delete only by
 * version id (s3:DeleteObjectVersion, not s3:DeleteObject), and learns version ids only from its own
 * writes (it can neither list nor read the bucket), so it can remove what it just wrote and nothing else.
 * Without a version id (a bucket without versioning, such as the local one) the delete names the key.
 */
export async function discardPayload(stored: StoredPayload): Promise<void> {
  const { sdk, client } = s3();
  await client.send(
    new sdk.DeleteObjectCommand({
      Bucket: stored.bucket,
      Key: stored.key,
      ...(stored.versionId && { VersionId: stored.versionId }),
    }),
  );
}

export class PayloadIntegrityError extends Error {
  override readonly name = 'PayloadIntegrityError';
}

/** The envelope's payload, fetched from S3 (and checked against its digest) when it was claim-checked. */
export async function loadPayload(envelope: Pick<Envelope, 'payload' | 'payloadRef'>): Promise<unknown> {
  if (!envelope.payloadRef) return envelope.payload;
  const { bucket, key, sha256 } = envelope.payloadRef;
  const { sdk, client } = s3();
  const object = await client.send(new sdk.GetObjectCommand({ Bucket: bucket, Key: key }));
  if (!object.Body) throw new PayloadIntegrityError(`s3://${bucket}/${key} has no body`);
  const bytes = Buffer.from(await object.Body.transformToByteArray());
  const actual = createHash('sha256').update(bytes).digest('hex');
  if (actual !== sha256) throw new PayloadIntegrityError(`s3://${bucket}/${key} does not match its sha256`);
  return JSON.parse(bytes.toString('utf8'));
}
