import type { S3Client } from '@aws-sdk/client-s3';
import { traced } from '../observability';

type S3Sdk = typeof import('./s3-sdk');

let loaded: { sdk: S3Sdk; client: S3Client } | undefined;

/**
 * The one S3 client and the S3 SDK, loaded on first use. S3 only carries claim-checked bodies (over the
 * inline limit), which most execution environments never meet; loading its SDK, the largest of them, at
 * every cold start would cost each of them for the few that do.
 */
export function s3(): { sdk: S3Sdk; client: S3Client } {
  if (!loaded) {
    const sdk = require('./s3-sdk') as S3Sdk;
    loaded = { sdk, client: traced(new sdk.S3Client({})) };
  }
  return loaded;
}
