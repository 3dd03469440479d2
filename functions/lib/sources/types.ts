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
  /** Accept a scheme's SHA-1 header (GitHub Enterprise Server's X-Hub-Signature); GITHUB_SHA1_ENABLED. */
  githubSha1Enabled: boolean;
  /** Current time, for timestamped signatures. */
  now: () => Date;
}

/**
 * How a sender proves who it is. Header names are spelled as the provider documents them (refusal reasons
 * name them so); they are matched case-insensitively. Verification (sources/verify.ts) and sender-side
 * signing (local/credentials.ts) are written once per kind.
 */
export type AuthScheme =
  /** `sha256=<hex>` HMAC of the raw body; `sha1Header` (`sha1=<hex>`) only when SHA-1 is enabled. */
  | { kind: 'hmac'; header: string; sha1Header?: string }
  /** The secret itself in a header (timing-safe comparison). */
  | { kind: 'token'; header: string }
  /**
   * For senders that cannot sign: `Authorization: Basic` equal to the secret ("user:password", or any user
   * with the secret as password when it is a token), or the secret in `tokenHeader`; and, when the sender is
   * scripted to add one, a `sha256=<hex>` body HMAC in `signatureHeader`.
   */
  | { kind: 'basic-or-token'; tokenHeader: string; signatureHeader: string }
  /** `sha256=<hex>` HMAC of `<timestamp>.<raw body>`, the timestamp (Unix seconds) within a window. */
  | { kind: 'timestamped-hmac'; header: string; timestampHeader: string; toleranceSeconds: number };

/**
 * Where a value lives in a payload, the one way ingest, search and compliance address payload fields: a
 * dotted path (`repository.full_name`, `push.changes.0.new.name`), a list of paths tried in turn, or, for
 * values put together from several fields, a function of `at`, which reads one path (sources/fields.ts).
 */
export type Field =
  | string
  | readonly string[]
  | ((at: (path: string) => string | undefined) => string | undefined);

/** Payload checks ingest runs before the stream, by kind (sources/payload-checks.ts). */
export type PayloadCheck = 'dns-request';

/**
 * Everything about one webhook provider, declared once in `sources/<id>.ts`: everything else (the list of
 * sources, verification, descriptions, search and finding fields, and on the tools' side signing,
 * development secrets and hostile requests) is derived from these declarations.
 */
export interface SourceDefinition<Id extends string = string> {
  /** The `{source}` path segment of `/webhooks/{source}`, the envelope's `source`. */
  readonly id: Id;
  readonly auth: AuthScheme;
  /** Headers the authorizer requires, besides the credential, before it admits a request. */
  readonly requiredHeaders?: readonly string[];
  /** Where a delivery's facts are. */
  readonly delivery: {
    /** The event type: a header, a payload field, or always the same. */
    readonly type: { readonly header: string } | { readonly field: Field } | { readonly value: string };
    readonly action?: Field | { readonly fromType: (type: string) => string | undefined };
    /** Headers that carry the delivery id, the first present wins; then `idField`; else the body's hash. */
    readonly idHeaders?: readonly string[];
    readonly idField?: Field;
    /** What the event is about, for ordering and partitioning; `-` when absent. */
    readonly subject: Field;
    /** Delivery headers kept in the envelope's meta, by meta key (user agent and content type always). */
    readonly meta?: Readonly<Record<string, string>>;
  };
  /** Key fields copied into search documents and compliance findings. */
  readonly fields?: {
    readonly repository?: Field;
    readonly actor?: Field;
    readonly ref?: Field;
    readonly url?: Field;
  };
  readonly payloadCheck?: PayloadCheck;
}

/**
 * What only the sending side needs (`npm run send`, fixtures, tests), exported by each provider module as
 * `sender` next to its definition. No function references it, so bundles never carry it.
 */
export interface SenderHints {
  /** The public development secret used when WEBHOOK_SECRET_<SOURCE> is not set. Never deploy it. */
  devSecret: string;
  userAgent: string;
  /** A representative delivery in events/ingest. */
  sample: string;
  /** The event type header's value for a raw payload, where the type travels in a header. */
  guessEvent?(payload: Record<string, unknown>): string | undefined;
}

/** Declares a provider, keeping its id's literal type so the list of ids is derived from the declarations. */
export function defineSource<const Id extends string>(
  definition: SourceDefinition<Id>,
): SourceDefinition<Id> {
  return definition;
}
