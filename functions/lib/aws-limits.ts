/**
 * AWS service limits the pipeline relies on, from AWS's documentation, in one place: the functions use them
 * to stay inside what AWS accepts, and the local stand-ins (local/, tests) refuse what AWS would refuse.
 * moto and the local fakes are laxer than AWS in places (moto takes a 200-character DetailType), so these
 * values, not an emulator's behaviour, are the reference.
 */

/** API Gateway REST APIs: largest request payload (10 MB). */
export const API_GATEWAY_MAX_PAYLOAD_BYTES = 10 * 1024 * 1024;

/** Lambda: largest synchronous invocation request (the whole event, JSON), 6 MB. */
export const LAMBDA_SYNC_MAX_REQUEST_BYTES = 6 * 1024 * 1024;

/**
 * Room kept for the rest of the API Gateway proxy event around the body: headers and multiValueHeaders
 * (API Gateway caps request headers at 10 KB, and each appears twice), request context, path and query.
 */
export const PROXY_EVENT_OVERHEAD_BYTES = 64 * 1024;

/**
 * The largest webhook body that can reach ingest. With BinaryMediaTypes `*\/*` API Gateway hands every body
 * to Lambda base64-encoded (4 bytes for every 3), and the encoded event must fit Lambda's 6 MB: about
 * 4.45 MiB. API Gateway itself would take 10 MB, but Lambda refuses the invocation and API Gateway answers
 * 413 (REQUEST_TOO_LARGE) before ingest runs.
 */
export const MAX_WEBHOOK_BODY_BYTES =
  Math.floor((LAMBDA_SYNC_MAX_REQUEST_BYTES - PROXY_EVENT_OVERHEAD_BYTES) / 4) * 3;

/** EventBridge PutEvents: entries per call, request size (1 MiB since January 2026), field lengths. */
export const EVENTBRIDGE_MAX_ENTRIES = 10;
export const EVENTBRIDGE_MAX_REQUEST_BYTES = 1024 * 1024;
export const EVENTBRIDGE_MAX_DETAIL_TYPE_CHARS = 128;
export const EVENTBRIDGE_MAX_SOURCE_CHARS = 256;

/** SNS Publish: message size (256 KiB) and subject (1 to 100 printable ASCII characters). */
export const SNS_MAX_MESSAGE_BYTES = 256 * 1024;
export const SNS_MAX_SUBJECT_CHARS = 100;

/** Step Functions: largest execution input or state output (256 KiB). */
export const STEP_FUNCTIONS_MAX_PAYLOAD_BYTES = 256 * 1024;

/** Kinesis: partition keys of at most 256 Unicode characters. */
export const KINESIS_MAX_PARTITION_KEY_CHARS = 256;
