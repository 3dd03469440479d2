import {
  CreateBucketCommand,
  ListObjectVersionsCommand,
  PutBucketVersioningCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import type * as ClaimCheckModule from '../../functions/lib/claim-check';
import { describeWithAwsTools, type RunningMoto, startMotoServer } from './tools';

/**
 * Ingest removes a body whose record the stream refused by naming the version it wrote, the only delete its
 * role allows (template.yaml, IngestFunction). s3rver, the local S3, has no versioning, so the project's own
 * store and discard run here against moto server's versioned bucket: the version is gone whole, with no
 * delete marker or noncurrent copy left behind, as a delete by key would leave.
 */
const credentials = { accessKeyId: 'testing', secretAccessKey: 'testing' };
const region = 'us-east-1';
const bucket = 'webhook-payloads';

describeWithAwsTools('claim-check store and discard against a versioned bucket in moto server', (tools) => {
  let moto: RunningMoto;
  let s3: S3Client;
  let claimCheck: typeof ClaimCheckModule;
  const saved = { ...process.env };

  beforeAll(async () => {
    moto = await startMotoServer(tools);
    s3 = new S3Client({ endpoint: moto.endpoint, region, credentials, forcePathStyle: true });
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    await s3.send(
      new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: 'Enabled' } }),
    );
    Object.assign(process.env, {
      AWS_ENDPOINT_URL_S3: moto.endpoint,
      AWS_ACCESS_KEY_ID: 'testing',
      AWS_SECRET_ACCESS_KEY: 'testing',
      AWS_REGION: region,
    });
    jest.isolateModules(() => {
      claimCheck = require('../../functions/lib/claim-check') as typeof ClaimCheckModule;
    });
  });

  afterAll(() => {
    process.env = saved;
    moto?.stop();
  });

  const versionsOf = async (key: string) => {
    const listing = await s3.send(new ListObjectVersionsCommand({ Bucket: bucket, Prefix: key }));
    return { versions: listing.Versions ?? [], markers: listing.DeleteMarkers ?? [] };
  };

  it('learns the version it wrote and removes exactly that version, leaving nothing behind', async () => {
    const key = 'github/2026-12-07/delivery/one.json';
    const stored = await claimCheck.storePayload(
      bucket,
      key,
      Buffer.from('{"zen":"Keep it logically awesome."}'),
    );

    expect(stored.versionId).toEqual(expect.any(String));
    expect((await versionsOf(key)).versions.map((version) => version.VersionId)).toEqual([stored.versionId]);

    await claimCheck.discardPayload(stored);

    expect(await versionsOf(key)).toEqual({ versions: [], markers: [] });
  });

  it('leaves another write of the same key untouched: a version id names one write only', async () => {
    const key = 'github/2026-12-07/delivery/two.json';
    const first = await claimCheck.storePayload(bucket, key, Buffer.from('{"n":1}'));
    const second = await claimCheck.storePayload(bucket, key, Buffer.from('{"n":2}'));

    await claimCheck.discardPayload(first);

    const { versions, markers } = await versionsOf(key);
    expect(versions.map((version) => version.VersionId)).toEqual([second.versionId]);
    expect(markers).toEqual([]);
    expect(
      await claimCheck.loadPayload({
        payloadRef: { bucket, key, bytes: second.bytes, sha256: second.sha256 },
      }),
    ).toEqual({ n: 2 });
  });
});
