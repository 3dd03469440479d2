import { JMESPathTypeError, search } from '@aws-lambda-powertools/jmespath';
import { ConfigError } from '../config';
import { isSourceId, type SourceId } from '../envelope';
import { type ComplianceRule, isSeverity } from './types';

/** An event kind the catalogue looks at: the workflow must send these to the compliance step. */
export interface ComplianceRoute {
  source: SourceId;
  type: string;
  /** The actions any rule for this (source, type) needs; undefined when some rule takes every action. */
  actions?: string[];
}

const RULE_ID = /^[A-Za-z0-9._-]+$/;

/**
 * The rules, checked once at cold start and indexed by (source, type). A malformed rule stops the function
 * with a ConfigError naming it, instead of silently never matching.
 */
export class Catalogue {
  private readonly byEvent = new Map<string, ComplianceRule[]>();

  constructor(readonly rules: readonly ComplianceRule[]) {
    const ids = new Set<string>();
    for (const rule of rules) {
      checkRule(rule);
      if (ids.has(rule.id)) throw new ConfigError(`compliance rule id "${rule.id}" is used twice`);
      ids.add(rule.id);
      const key = eventKey(rule.source, rule.type);
      this.byEvent.set(key, [...(this.byEvent.get(key) ?? []), rule]);
    }
  }

  /** The rules that look at this event; conditions still have to be evaluated. */
  candidates(source: string, type: string, action: string | undefined): ComplianceRule[] {
    return (this.byEvent.get(eventKey(source, type)) ?? []).filter(
      (rule) => rule.actions === undefined || (action !== undefined && rule.actions.includes(action)),
    );
  }

  routes(): ComplianceRoute[] {
    return [...this.byEvent.values()].map((rules) => {
      const first = rules[0] as ComplianceRule;
      const route: ComplianceRoute = { source: first.source, type: first.type };
      if (rules.every((rule) => rule.actions !== undefined)) {
        route.actions = [...new Set(rules.flatMap((rule) => rule.actions ?? []))].sort();
      }
      return route;
    });
  }
}

function eventKey(source: string, type: string): string {
  return `${source}\u0000${type}`;
}

function checkRule(rule: ComplianceRule): void {
  const where = `compliance rule "${rule.id}"`;
  if (!RULE_ID.test(rule.id))
    throw new ConfigError(`${where}: id may use only letters, digits, ".", "_", "-"`);
  if (!isSourceId(rule.source)) throw new ConfigError(`${where}: unknown source "${rule.source}"`);
  if (!isSeverity(rule.severity)) throw new ConfigError(`${where}: unknown severity "${rule.severity}"`);
  if (!rule.type || !rule.title || !rule.remediation) {
    throw new ConfigError(`${where}: type, title and remediation are required`);
  }
  if (rule.actions?.length === 0)
    throw new ConfigError(`${where}: actions is empty (omit it for any action)`);
  if (rule.whenAny?.length === 0) throw new ConfigError(`${where}: whenAny is empty (omit it)`);
  for (const expression of [rule.when, ...(rule.whenAny ?? [])]) {
    if (expression !== undefined) checkExpression(where, expression);
  }
}

/**
 * Evaluating against an empty object surfaces syntax errors, unknown functions and wrong arities; a type
 * error there only means a function met null, which real payloads will not give it.
 */
function checkExpression(where: string, expression: string): void {
  try {
    search(expression, {});
  } catch (error) {
    if (error instanceof JMESPathTypeError) return;
    throw new ConfigError(`${where}: invalid JMESPath "${expression}": ${(error as Error).message}`);
  }
}
