import type { SourceId } from '../envelope';

export const SEVERITIES = ['info', 'low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

export function isSeverity(value: unknown): value is Severity {
  return typeof value === 'string' && (SEVERITIES as readonly string[]).includes(value);
}

export function severityAtLeast(severity: Severity, threshold: Severity): boolean {
  return SEVERITIES.indexOf(severity) >= SEVERITIES.indexOf(threshold);
}

/**
 * One entry of the catalogue. Everything about a rule is data: which events it looks at (source, type
 * and optionally actions, as the envelope carries them) and a condition on the payload written in
 * JMESPath (https://jmespath.org), evaluated with the payload as the root.
 */
export interface ComplianceRule {
  /** Stable and unique: it is part of every finding id, so never reuse an id for a different rule. */
  id: string;
  source: SourceId;
  /** The envelope's `type` (GitHub `X-GitHub-Event`, GitLab `X-Gitlab-Event`, Bitbucket `X-Event-Key`). */
  type: string;
  /** The envelope's `action`; omitted means any action (or none). */
  actions?: readonly string[];
  /** JMESPath that must be truthy. */
  when?: string;
  /** JMESPath expressions of which at least one must be truthy (each a separate way to match). */
  whenAny?: readonly string[];
  severity: Severity;
  title: string;
  /** What the person receiving the finding should do. */
  remediation: string;
  /** No finding when the event's repository is on PUBLIC_REPOSITORY_ALLOW_LIST (for "made public" rules). */
  exemptAllowListedPublicRepositories?: boolean;
}

/** One rule match on one event: the detail of the `Compliance Finding` event on the bus. */
export interface Finding {
  /** `source:eventId:ruleId`: the same event and rule always give the same id. */
  findingId: string;
  eventId: string;
  source: SourceId;
  eventType: string;
  eventAction: string | null;
  repository: string | null;
  actor: string | null;
  url: string | null;
  severity: Severity;
  rule: { id: string; title: string; remediation: string };
  receivedAt: string;
}

export function findingId(source: string, eventId: string, ruleId: string): string {
  return `${source}:${eventId}:${ruleId}`;
}
