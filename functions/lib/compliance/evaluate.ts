import { search } from '@aws-lambda-powertools/jmespath';
import type { Envelope } from '../envelope';
import { SOURCES } from '../sources';
import { fieldText } from '../sources/fields';
import type { PublicRepositoryAllowList } from './allow-list';
import type { Catalogue } from './catalogue';
import { type ComplianceRule, type Finding, findingId } from './types';

export interface RuleError {
  ruleId: string;
  message: string;
}

export interface Evaluation {
  findings: Finding[];
  /** Rules whose condition could not be evaluated on this payload (reported, never fatal). */
  errors: RuleError[];
}

type EventFacts = Pick<Envelope, 'id' | 'source' | 'type' | 'action' | 'subject' | 'receivedAt'>;

/** Runs the catalogue over one event: one finding per matching rule, in catalogue order. */
export function evaluate(
  catalogue: Catalogue,
  event: EventFacts,
  payload: unknown,
  allowList: PublicRepositoryAllowList,
): Evaluation {
  const evaluation: Evaluation = { findings: [], errors: [] };
  const candidates = catalogue.candidates(event.source, event.type, event.action);
  if (candidates.length === 0 || typeof payload !== 'object' || payload === null) return evaluation;
  const facts = describe(event, payload);
  for (const rule of candidates) {
    try {
      if (!conditionHolds(rule, payload)) continue;
    } catch (error) {
      evaluation.errors.push({ ruleId: rule.id, message: (error as Error).message });
      continue;
    }
    if (rule.exemptAllowListedPublicRepositories && allowList.allows(event.source, facts.repository))
      continue;
    evaluation.findings.push({
      findingId: findingId(event.source, event.id, rule.id),
      eventId: event.id,
      source: event.source,
      eventType: event.type,
      eventAction: event.action ?? null,
      ...facts,
      severity: rule.severity,
      rule: { id: rule.id, title: rule.title, remediation: rule.remediation },
      receivedAt: event.receivedAt,
    });
  }
  return evaluation;
}

function conditionHolds(rule: ComplianceRule, payload: object): boolean {
  if (rule.when !== undefined && !truthy(search(rule.when, payload))) return false;
  if (rule.whenAny !== undefined && !rule.whenAny.some((expression) => truthy(search(expression, payload)))) {
    return false;
  }
  return true;
}

/** JMESPath truthiness: false, null, '', [] and {} are false; everything else (0 too) is true. */
function truthy(value: unknown): boolean {
  if (value === undefined || value === null || value === false || value === '') return false;
  if (Array.isArray(value)) return value.length > 0;
  if (typeof value === 'object') return Object.keys(value).length > 0;
  return true;
}

/** The key fields where the event's source declares them (sources/<source>.ts); the subject names the repository otherwise. */
function describe(event: EventFacts, payload: object): Pick<Finding, 'repository' | 'actor' | 'url'> {
  const fields = SOURCES[event.source].fields ?? {};
  const subject = event.subject && event.subject !== '-' ? event.subject : null;
  return {
    repository: fieldText(payload, fields.repository) ?? subject,
    actor: fieldText(payload, fields.actor) ?? null,
    url: fieldText(payload, fields.url) ?? null,
  };
}
