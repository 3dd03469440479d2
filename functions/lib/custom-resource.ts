/**
 * CloudFormation custom resources: the answer CloudFormation waits for, PUT to the pre-signed S3 URL of
 * the request. Hand-written because the answer is one small JSON document and AWS publishes no Node
 * library for it outside the CDK (cfn-response is a module inlined into ZipFile functions only).
 */

/** The fields of a custom resource request that the answer must echo. */
export interface CustomResourceRequest {
  RequestType: 'Create' | 'Update' | 'Delete';
  ResponseURL: string;
  StackId: string;
  RequestId: string;
  LogicalResourceId: string;
  PhysicalResourceId?: string;
  ResourceProperties: Record<string, unknown>;
  OldResourceProperties?: Record<string, unknown>;
}

export interface CustomResourceOutcome {
  status: 'SUCCESS' | 'FAILED';
  /** Shown in the stack's events; required with FAILED. */
  reason?: string;
  physicalResourceId: string;
  data?: Record<string, string>;
}

/** CloudFormation refuses an answer over 4 KB, and then the stack waits for its timeout. */
const MAX_REASON = 1_000;

export function responseBody(request: CustomResourceRequest, outcome: CustomResourceOutcome): string {
  const reason = outcome.reason === undefined ? undefined : outcome.reason.slice(0, MAX_REASON);
  return JSON.stringify({
    Status: outcome.status,
    ...(reason === undefined ? {} : { Reason: reason }),
    PhysicalResourceId: outcome.physicalResourceId,
    StackId: request.StackId,
    RequestId: request.RequestId,
    LogicalResourceId: request.LogicalResourceId,
    ...(outcome.data ? { Data: outcome.data } : {}),
  });
}

/**
 * PUTs the answer, trying again on a network error or 5xx. The body goes as bytes with no content type:
 * the URL is signed for an empty one, so S3 would refuse a `text/plain` PUT.
 */
export async function sendResponse(
  request: CustomResourceRequest,
  outcome: CustomResourceOutcome,
  options: { attempts?: number; timeoutMs?: number } = {},
): Promise<void> {
  const body = new TextEncoder().encode(responseBody(request, outcome));
  const attempts = options.attempts ?? 3;
  let last: unknown;
  for (let attempt = 1; attempt <= attempts; attempt += 1) {
    try {
      const response = await fetch(request.ResponseURL, {
        method: 'PUT',
        body,
        signal: AbortSignal.timeout(options.timeoutMs ?? 5_000),
      });
      await response.arrayBuffer();
      if (response.ok) return;
      last = new Error(`the response URL answered ${response.status}`);
      if (response.status < 500) break;
    } catch (error) {
      last = error;
    }
  }
  throw new Error(`CloudFormation response not delivered: ${(last as Error).message}`, { cause: last });
}

/** Runs `work`, or gives up with FAILED when `deadlineMs` passes first, so the stack never hangs. */
export async function withDeadline<T>(work: Promise<T>, deadlineMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(new Error(`gave up after ${Math.round(deadlineMs / 1000)} s, before the function's timeout`)),
      Math.max(0, deadlineMs),
    );
  });
  try {
    return await Promise.race([work, expired]);
  } finally {
    clearTimeout(timer);
  }
}
