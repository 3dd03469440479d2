import { secretsProvider } from './clients/secrets';
import { ConfigError } from './config';
import type { SourceId } from './envelope';

/** A source's shared secret, and during a rotation the value it replaces (both are accepted). */
export interface SourceSecret {
  current: string;
  previous?: string;
}

/** Rotated values reach warm functions within this many seconds; the previous value covers the gap. */
const SECRET_CACHE_SECONDS = 300;

/**
 * Deployed, secrets come from the one Secrets Manager entry named by WEBHOOK_SECRET_ARN, a JSON object
 * with a key per source ("github") and optionally its previous value ("github.previous"). Without that
 * variable (the local pipeline, tests) they come from WEBHOOK_SECRET_<SOURCE> and
 * WEBHOOK_SECRET_<SOURCE>_PREVIOUS.
 */
export async function getSourceSecret(
  source: SourceId,
  env = process.env,
): Promise<SourceSecret | undefined> {
  const arn = env.WEBHOOK_SECRET_ARN;
  if (arn) {
    const entry = await secretsProvider.get<Record<string, string>>(arn, {
      transform: 'json',
      maxAge: SECRET_CACHE_SECONDS,
    });
    if (entry === undefined || typeof entry !== 'object') {
      throw new ConfigError(`secret ${arn} is not a JSON object`);
    }
    return toSecret(entry[source], entry[`${source}.previous`]);
  }
  const name = `WEBHOOK_SECRET_${source.toUpperCase()}`;
  return toSecret(env[name], env[`${name}_PREVIOUS`]);
}

function toSecret(current: string | undefined, previous: string | undefined): SourceSecret | undefined {
  if (!current) return undefined;
  return previous ? { current, previous } : { current };
}

/** Candidate secrets in the order they are tried. */
export function secretValues(secret: SourceSecret): string[] {
  return secret.previous ? [secret.current, secret.previous] : [secret.current];
}
