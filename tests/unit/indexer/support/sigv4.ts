import { createHash, createHmac } from 'node:crypto';
import type { CapturedRequest } from './capture-server';

const sha256 = (data: string) => createHash('sha256').update(data, 'utf8').digest('hex');
const hmac = (key: Buffer | string, data: string) => createHmac('sha256', key).update(data, 'utf8').digest();

// RFC 3986 unreserved characters stay, everything else is %XX (upper case), as SigV4 requires.
const uriEncode = (value: string) =>
  encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/** Credentials as a Lambda role hands them out (with a session token), for signing tests. */
export const ROLE_CREDENTIALS = {
  accessKeyId: 'AKIDEXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
  sessionToken: 'session-token-of-the-lambda-role',
};

export interface ParsedAuthorization {
  accessKeyId: string;
  date: string;
  region: string;
  service: string;
  signedHeaders: string[];
  signature: string;
}

export function parseAuthorization(header: string | undefined): ParsedAuthorization {
  const match =
    /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$/.exec(
      header ?? '',
    );
  if (!match) throw new Error(`not a SigV4 Authorization header: ${header}`);
  const [, accessKeyId = '', date = '', region = '', service = '', signedHeaders = '', signature = ''] =
    match;
  return { accessKeyId, date, region, service, signedHeaders: signedHeaders.split(';'), signature };
}

/**
 * The signature AWS would compute for the captured request (Signature Version 4, written out from the
 * published algorithm rather than with the library under test): canonical request, string to sign,
 * derived key. Services other than S3 encode each path segment twice.
 */
export function expectedSignature(request: CapturedRequest, secretAccessKey: string): string {
  const auth = parseAuthorization(request.headers.authorization);
  const [path = '/', query = ''] = request.url.split('?');
  const canonicalPath = path
    .split('/')
    .map((segment) => uriEncode(decodeURIComponent(segment)))
    .map(uriEncode)
    .join('/');
  const canonicalQuery = query
    .split('&')
    .filter((pair) => pair !== '')
    .map((pair) => pair.split('=').map((part) => uriEncode(decodeURIComponent(part ?? ''))))
    .map(([key = '', value = '']) => `${key}=${value}`)
    .sort()
    .join('&');
  const canonicalHeaders = auth.signedHeaders
    .map(
      (name) =>
        `${name}:${String(request.headers[name] ?? '')
          .trim()
          .replace(/\s+/g, ' ')}\n`,
    )
    .join('');
  const canonicalRequest = [
    request.method,
    canonicalPath,
    canonicalQuery,
    canonicalHeaders,
    auth.signedHeaders.join(';'),
    String(request.headers['x-amz-content-sha256']),
  ].join('\n');
  const scope = `${auth.date}/${auth.region}/${auth.service}/aws4_request`;
  const stringToSign = [
    'AWS4-HMAC-SHA256',
    request.headers['x-amz-date'],
    scope,
    sha256(canonicalRequest),
  ].join('\n');
  const dateKey = hmac(`AWS4${secretAccessKey}`, auth.date);
  const signingKey = hmac(hmac(hmac(dateKey, auth.region), auth.service), 'aws4_request');
  return createHmac('sha256', signingKey).update(stringToSign, 'utf8').digest('hex');
}
