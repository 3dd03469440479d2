import { join } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import { traced } from '../observability';

type S3Sdk = typeof import('./s3-sdk');

let loaded: { sdk: S3Sdk; client: S3Client } | undefined;

/**
 * The one S3 client and the S3 SDK, loaded on first use. S3 only carries claim-checked bodies (over the
 * inline limit), which most execution environments never meet; loading its SDK, the largest of them, at
 * every cold start would cost each of them for the few that do. The path is built at run time so that
 * esbuild leaves the SDK out of the handler's bundle: each function that stores or loads claim-checked
 * bodies ships it as a second entry point, s3-sdk.js beside handler.js, so that its 200 KB are not even
 * parsed at cold start. Unbundled (tests, tsx) the same path is this directory's s3-sdk.ts.
 */
export function s3(): { sdk: S3Sdk; client: S3Client } {
  if (!loaded) {
    const sdk = require(join(__dirname, 's3-sdk')) as S3Sdk;
    loaded = { sdk, client: traced(new sdk.S3Client({})) };
  }
  return loaded;
}
