import { createHash } from 'node:crypto';
import { s3 } from './clients/s3';
import type { Envelope, PayloadRef } from './envelope';

/**
 * Claim check: a body too large to travel inline (Kinesis, Step Functions and EventBridge all have lower
 * limits than API Gateway) is stored in S3 and the envelope carries a reference to it instead.
 */
export async function storePayload(bucket: string, key: string, body: Buffer): Promise<PayloadRef> {
  const sha256 = createHash('sha256').update(body).digest('hex');
  const { sdk, client } = s3();
  await client.send(
    new sdk.PutObjectCommand({
      Bucket: bucket,
      Key: key,
      Body: body,
      ContentType: 'application/json',
      ChecksumSHA256: Buffer.from(sha256, 'hex').toString('base64'),
    }),
  );
  return { bucket, key, bytes: body.length, sha256 };
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
