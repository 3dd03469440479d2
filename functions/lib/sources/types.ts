import type { SourceId } from '../envelope';
import type { SourceSecret } from '../webhook-secrets';

/** Request headers with lower-cased names. */
export type Headers = Readonly<Record<string, string | undefined>>;

/** The outcome of a credential check: `ok`, or the status to answer and a reason safe to log. */
export type AuthOutcome = { ok: true } | { ok: false; status: 401 | 403; reason: string };

/** What a source says about one delivery, read from its headers and parsed body. */
export interface DeliveryDescription {
  type: string | undefined;
  action?: string;
  /** The provider's delivery id; ingest falls back to the SHA-256 of the body. */
  deliveryId?: string;
  /** What the event is about (repository, project key, domain); `-` when none. */
  subject: string;
  /** A few delivery headers worth keeping; never secrets or signatures. */
  meta: Record<string, string>;
}

export interface SourceOptions {
  /** GitHub Enterprise Server may send only the SHA-1 `X-Hub-Signature`; accepted only when enabled. */
  githubSha1Enabled: boolean;
  /** Current time, for timestamped signatures (ddns). */
  now: () => Date;
}

/**
 * One webhook provider. Adding a provider is adding one module that implements this and listing it in
 * `sources/index.ts`; nothing else changes.
 */
export interface WebhookSource {
  readonly id: SourceId;
  /**
   * Authorizer stage, without the body (API Gateway never passes it to a REQUEST authorizer): required
   * headers present and, for token and basic-auth sources, the credential itself.
   */
  authorizeHeaders(headers: Headers, secret: SourceSecret, options: SourceOptions): AuthOutcome;
  /** Ingest stage: the body signature over the raw bytes, where the source signs its bodies. */
  verifyBody(headers: Headers, rawBody: Buffer, secret: SourceSecret, options: SourceOptions): AuthOutcome;
  describe(headers: Headers, payload: Record<string, unknown>): DeliveryDescription;
  /**
   * Optional cheap checks of the parsed payload before it enters the stream (ddns: allowed domain,
   * public address). Throws `RejectedRequest` (400 or 422) when the request must be refused.
   */
  validate?(payload: Record<string, unknown>): void;
}
