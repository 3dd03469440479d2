import { randomUUID } from 'node:crypto';
import { isIP } from 'node:net';
import { parseArgs } from 'node:util';
import { parseRetryAfter, RetriesExhausted, retrying } from '../functions/lib/retry';
import { credentialHeaders } from '../local/credentials';

export const DEFAULT_ECHO_URL = 'https://checkip.amazonaws.com';
const USER_AGENT = 'webhook-ddns-client/0.1.0';

const usage = `npm run ddns -- --url <webhook url> --domain <name> [--ip <address> | --ip auto] [--echo-url <url>]

Reports this host's address to the pipeline's ddns webhook, which points <name> at it in Route 53.
  --url       the DdnsWebhookUrl output of the stack (.../webhooks/ddns), or http://127.0.0.1:3000/webhooks/ddns
  --domain    the name to update, e.g. nas.home.example.com
  --ip        an IPv4 or IPv6 address, or "auto" (default): ask the echo URL for the public address
  --echo-url  a URL answering with the caller's address as plain text (default $DDNS_ECHO_URL or
              ${DEFAULT_ECHO_URL}; e.g. https://api6.ipify.org for IPv6)
The shared secret comes from the DDNS_SECRET environment variable. Exits 0 when the request was
accepted, 1 when it was refused or failed, 2 on a usage error.`;

export interface DdnsClientOptions {
  url: string;
  domain: string;
  /** An address, or `auto` to ask `echoUrl`. */
  ip: string;
  echoUrl: string;
  secret: string;
  /** Attempts for network errors, 429 and 5xx (the same uuid each time, so a repeat is harmless). */
  maxAttempts?: number;
  timeoutMs?: number;
  /** Longest wait between attempts, whatever Retry-After says. */
  maxRetryDelayMs?: number;
}

export interface DdnsClientResult {
  ok: boolean;
  /** HTTP status of the last attempt; 0 when no answer came. */
  status: number;
  ip: string;
  uuid: string;
  /** The pipeline's answer (or the network error), safe to print. */
  message: string;
}

/** The caller's public address as an echo service sees it (plain-text answer). */
export async function discoverPublicAddress(echoUrl: string, timeoutMs = 10_000): Promise<string> {
  const response = await fetch(echoUrl, {
    signal: AbortSignal.timeout(timeoutMs),
    headers: { 'user-agent': USER_AGENT },
  });
  const text = (await response.text()).trim();
  if (!response.ok) throw new Error(`echo URL answered HTTP ${response.status}`);
  if (isIP(text) === 0) throw new Error(`echo URL did not answer with an IP address: "${text.slice(0, 60)}"`);
  return text;
}

function answerText(status: number, body: string): string {
  try {
    const parsed = JSON.parse(body) as Record<string, unknown>;
    const text = parsed.message ?? parsed.reason ?? parsed.error;
    if (typeof text === 'string') return text;
  } catch {
    // Not JSON: show the text itself.
  }
  return body.trim().slice(0, 300) || `HTTP ${status}`;
}

/** An answer worth another attempt (a network error, 429 or 5xx), carrying what it said. */
class RetryableAnswer extends Error {
  constructor(
    readonly result: DdnsClientResult,
    readonly retryAfterMs: number | undefined,
  ) {
    super(result.message);
  }
}

/**
 * Signs and posts one `{ip, domain, uuid}` report. Each attempt is signed with a fresh X-Timestamp (the
 * pipeline accepts 300 s of skew) but carries the same body and uuid, so the pipeline applies it once.
 */
export async function reportAddress(options: DdnsClientOptions): Promise<DdnsClientResult> {
  const { maxAttempts = 3, timeoutMs = 10_000, maxRetryDelayMs = 30_000 } = options;
  const ip = options.ip === 'auto' ? await discoverPublicAddress(options.echoUrl, timeoutMs) : options.ip;
  if (isIP(ip) === 0) throw new Error(`"${ip}" is not an IPv4 or IPv6 address`);
  const uuid = randomUUID();
  const body = JSON.stringify({ ip, domain: options.domain, uuid });
  const attempt = async (): Promise<DdnsClientResult> => {
    let response: Response;
    try {
      response = await fetch(options.url, {
        method: 'POST',
        body,
        signal: AbortSignal.timeout(timeoutMs),
        headers: {
          'content-type': 'application/json',
          'user-agent': USER_AGENT,
          // The ddns source's timestamped HMAC, as its definition declares it (sources/ddns.ts).
          ...credentialHeaders('ddns', body, options.secret),
        },
      });
    } catch (error) {
      throw new RetryableAnswer(
        { ok: false, status: 0, ip, uuid, message: (error as Error).message },
        undefined,
      );
    }
    const message = answerText(response.status, await response.text());
    const result = { ok: response.ok, status: response.status, ip, uuid, message };
    if (response.ok || (response.status < 500 && response.status !== 429)) return result;
    throw new RetryableAnswer(result, parseRetryAfter(response.headers.get('retry-after')));
  };
  try {
    return await retrying(
      attempt,
      {
        maxAttempts,
        baseDelayMs: 1000,
        maxDelayMs: maxRetryDelayMs,
        maxRetryAfterMs: maxRetryDelayMs,
        // A command run from cron has no later: it waits the longest it allows and tries again.
        longerRetryAfter: 'wait-the-maximum',
      },
      {
        isRetryable: (error) => error instanceof RetryableAnswer,
        retryAfterMs: (error) => (error as RetryableAnswer).retryAfterMs,
      },
    );
  } catch (error) {
    if (error instanceof RetriesExhausted) return (error.cause as RetryableAnswer).result;
    throw error;
  }
}

export async function main(argv = process.argv.slice(2), env = process.env): Promise<number> {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        url: { type: 'string' },
        domain: { type: 'string' },
        ip: { type: 'string', default: 'auto' },
        'echo-url': { type: 'string', default: env.DDNS_ECHO_URL || DEFAULT_ECHO_URL },
        help: { type: 'boolean', default: false },
      },
    }));
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${usage}`);
    return 2;
  }
  if (values.help) {
    console.log(usage);
    return 0;
  }
  const secret = env.DDNS_SECRET;
  if (typeof values.url !== 'string' || typeof values.domain !== 'string' || !secret) {
    console.error(`--url, --domain and the DDNS_SECRET environment variable are required.\n\n${usage}`);
    return 2;
  }
  try {
    const result = await reportAddress({
      url: values.url,
      domain: values.domain,
      ip: String(values.ip),
      echoUrl: String(values['echo-url']),
      secret,
    });
    const what = `${values.domain} -> ${result.ip} (uuid ${result.uuid})`;
    if (result.ok) {
      console.log(`accepted: ${what}, HTTP ${result.status}`);
      return 0;
    }
    const status = result.status === 0 ? 'no answer' : `HTTP ${result.status}`;
    console.error(
      `${result.status >= 400 && result.status < 500 ? 'refused' : 'failed'}: ${what}, ${status}: ${result.message}`,
    );
    return 1;
  } catch (error) {
    console.error(`failed: ${(error as Error).message}`);
    return 1;
  }
}

if (require.main === module) {
  main().then((code) => {
    process.exitCode = code;
  });
}
