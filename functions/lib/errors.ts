/**
 * A request the pipeline refuses on purpose. Domain code throws it with the HTTP status the caller
 * should see and a short reason safe to return and log (never a secret, token or signature).
 */
export class RejectedRequest extends Error {
  override readonly name = 'RejectedRequest';
  constructor(
    readonly statusCode: 400 | 401 | 403 | 404 | 413 | 415 | 422,
    readonly reason: string,
    message?: string,
  ) {
    super(message ?? reason);
  }
}

/** A dependency failed; the caller may retry later (HTTP 503 with Retry-After). */
export class TemporarilyUnavailable extends Error {
  override readonly name = 'TemporarilyUnavailable';
  constructor(
    message: string,
    readonly retryAfterSeconds = 5,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}
