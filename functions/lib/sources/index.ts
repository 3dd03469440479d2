import { ConfigError, listEnv } from '../config';
import { isSourceId, SOURCE_IDS, type SourceId } from '../envelope';
import { bitbucket } from './bitbucket';
import { ddns } from './ddns';
import { github } from './github';
import { gitlab } from './gitlab';
import { jira } from './jira';
import { rally } from './rally';
import { servicenow } from './servicenow';
import type { WebhookSource } from './types';

/** Every provider the pipeline understands; the path segment of `/webhooks/{source}` selects one. */
export const SOURCES: Readonly<Record<SourceId, WebhookSource>> = {
  github,
  gitlab,
  bitbucket,
  jira,
  servicenow,
  rally,
  ddns,
};

/** The source named by a request path, when it exists and is enabled. */
export function findSource(
  name: string | undefined,
  enabled: ReadonlySet<SourceId>,
): WebhookSource | undefined {
  if (!isSourceId(name) || !enabled.has(name)) return undefined;
  return SOURCES[name];
}

/**
 * ENABLED_SOURCES, a comma-separated list; unset means every source (tests, `sam local invoke`). The
 * deployed template always sets it, so a stack enables exactly what its parameter names.
 */
export function enabledSourcesFromEnv(env: Record<string, string | undefined> = process.env): Set<SourceId> {
  if (env.ENABLED_SOURCES === undefined) return new Set(SOURCE_IDS);
  const names = listEnv('ENABLED_SOURCES', env);
  const unknown = names.filter((name) => !isSourceId(name));
  if (unknown.length > 0)
    throw new ConfigError(`ENABLED_SOURCES names unknown sources: ${unknown.join(', ')}`);
  return new Set(names as SourceId[]);
}

export type { WebhookSource } from './types';
