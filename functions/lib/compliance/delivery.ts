import type { IdempotencyConfig } from '@aws-lambda-powertools/idempotency';
import { idempotent } from '../idempotency';
import { alertFinding, publishFinding } from './publish';
import { type Finding, type Severity, severityAtLeast } from './types';

export interface DeliveryOptions {
  idempotencyTable: string;
  /** How long a delivered finding is remembered: as long as the lake keeps events a replay could bring back. */
  expiresAfterSeconds: number;
  eventBusName: string;
  alarmTopicArn: string;
  /** Findings at or above this severity also go to the alarm topic. */
  alarmMinSeverity: Severity;
}

export class FindingDeliveryError extends Error {
  override readonly name = 'FindingDeliveryError';
}

type LambdaContext = Parameters<IdempotencyConfig['registerLambdaContext']>[0];

/**
 * Sends each finding to the bus and, from the alarm severity up, to the SNS topic, each send at most once.
 *
 * Idempotency is per finding AND per destination (records keyed on the finding id `source:eventId:ruleId`
 * under the prefixes `compliance.bus` and `compliance.alarm`), not per event: when the bus accepted a
 * finding but SNS failed, the retry finds the bus record COMPLETED and only sends the alarm again. A
 * per-event record would be released by the failure and the retry would publish the finding twice.
 */
export class FindingDelivery {
  private readonly configs: IdempotencyConfig[];
  private readonly toBus: (finding: Finding) => Promise<{ eventId: string }>;
  private readonly toAlarmTopic: (finding: Finding) => Promise<{ messageId: string }>;

  constructor(private readonly options: DeliveryOptions) {
    const memory = {
      tableName: options.idempotencyTable,
      expiresAfterSeconds: options.expiresAfterSeconds,
      keyPath: 'findingId',
    };
    const bus = idempotent('compliance.bus', memory, (finding: Finding) =>
      publishFinding(options.eventBusName, finding),
    );
    const alarm = idempotent('compliance.alarm', memory, (finding: Finding) =>
      alertFinding(options.alarmTopicArn, finding),
    );
    this.toBus = bus.run;
    this.toAlarmTopic = alarm.run;
    this.configs = [bus.config, alarm.config];
  }

  /** Lets an in-progress record of an invocation that timed out expire with it, so a retry can proceed. */
  registerLambdaContext(context: LambdaContext): void {
    for (const config of this.configs) config.registerLambdaContext(context);
  }

  alarms(finding: Finding): boolean {
    return severityAtLeast(finding.severity, this.options.alarmMinSeverity);
  }

  /** Attempts every send, then fails if any failed, so one bad send does not hold back the others. */
  async deliver(findings: readonly Finding[]): Promise<void> {
    const sends = findings.flatMap((finding) => [
      { finding, to: 'bus', send: () => this.toBus(finding) },
      ...(this.alarms(finding)
        ? [{ finding, to: 'alarm topic', send: () => this.toAlarmTopic(finding) }]
        : []),
    ]);
    const results = await Promise.allSettled(sends.map(({ send }) => send()));
    const failures = results.flatMap((result, index) =>
      result.status === 'rejected'
        ? [{ ...(sends[index] as (typeof sends)[number]), error: result.reason }]
        : [],
    );
    if (failures.length === 0) return;
    const summary = failures
      .map(({ finding, to, error }) => `${finding.findingId} to ${to}: ${(error as Error).message}`)
      .join('; ');
    throw new FindingDeliveryError(`${failures.length} of ${sends.length} finding sends failed: ${summary}`, {
      cause: failures[0]?.error,
    });
  }
}
