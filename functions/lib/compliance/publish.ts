import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { PublishCommand } from '@aws-sdk/client-sns';
import { SNS_MAX_SUBJECT_CHARS } from '../aws-limits';
import { eventbridgeClient } from '../clients/eventbridge';
import { snsClient } from '../clients/sns';
import type { Finding } from './types';

export const FINDING_SOURCE = 'webhooks.compliance';
export const FINDING_DETAIL_TYPE = 'Compliance Finding';

/** PutEvents answers 200 even when it rejected entries; this error carries what it said about them. */
export class FindingPublishError extends Error {
  override readonly name = 'FindingPublishError';
}

/** Puts one finding on the bus; returns the EventBridge event id. */
export async function publishFinding(eventBusName: string, finding: Finding): Promise<{ eventId: string }> {
  const response = await eventbridgeClient.send(
    new PutEventsCommand({
      Entries: [
        {
          EventBusName: eventBusName,
          Source: FINDING_SOURCE,
          DetailType: FINDING_DETAIL_TYPE,
          Detail: JSON.stringify(finding),
        },
      ],
    }),
  );
  const entry = response.Entries?.[0];
  if ((response.FailedEntryCount ?? 0) > 0 || !entry?.EventId) {
    throw new FindingPublishError(
      `EventBridge rejected finding ${finding.findingId}: ${entry?.ErrorCode ?? 'no event id'} ${entry?.ErrorMessage ?? ''}`.trim(),
    );
  }
  return { eventId: entry.EventId };
}

/** Sends one finding to the alarm topic (email and any other subscriptions); returns the message id. */
export async function alertFinding(topicArn: string, finding: Finding): Promise<{ messageId: string }> {
  const response = await snsClient.send(
    new PublishCommand({
      TopicArn: topicArn,
      Subject: alertSubject(finding),
      Message: alertMessage(finding),
      // Subscriptions can filter on these (e.g. only critical to a pager).
      MessageAttributes: {
        severity: { DataType: 'String', StringValue: finding.severity },
        ruleId: { DataType: 'String', StringValue: finding.rule.id },
        source: { DataType: 'String', StringValue: finding.source },
      },
    }),
  );
  return { messageId: response.MessageId ?? '' };
}

/** SNS subjects are at most 100 printable ASCII characters on one line (email uses them as the subject). */
export function alertSubject(finding: Finding): string {
  const subject = `[${finding.severity.toUpperCase()}] ${finding.rule.title}: ${finding.repository ?? finding.source}`;
  const printable = subject.replace(/[^\x20-\x7e]/g, '?');
  return printable.length <= SNS_MAX_SUBJECT_CHARS
    ? printable
    : `${printable.slice(0, SNS_MAX_SUBJECT_CHARS - 3)}...`;
}

export function alertMessage(finding: Finding): string {
  const event = finding.eventAction ? `${finding.eventType}.${finding.eventAction}` : finding.eventType;
  return [
    `${finding.severity.toUpperCase()} compliance finding: ${finding.rule.title}`,
    '',
    `Repository: ${finding.repository ?? 'unknown'}`,
    `Actor:      ${finding.actor ?? 'unknown'}`,
    `Event:      ${finding.source} ${event} (delivery ${finding.eventId}, received ${finding.receivedAt})`,
    ...(finding.url ? [`Link:       ${finding.url}`] : []),
    `Rule:       ${finding.rule.id}`,
    `Finding:    ${finding.findingId}`,
    '',
    `What to do: ${finding.rule.remediation}`,
    '',
    JSON.stringify(finding, null, 2),
  ].join('\n');
}
