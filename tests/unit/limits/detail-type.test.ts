import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EVENTBRIDGE_MAX_DETAIL_TYPE_CHARS } from '../../../functions/lib/aws-limits';
import { busDetailType, parseEnvelope } from '../../../functions/lib/envelope';
import { eventBridgeSink } from '../../../local/fakes/eventbridge';

// A Jira-style type from the body: senders do not bound it, EventBridge bounds DetailType at 128 characters.
const longType = `jira:${'custom_field_changed_in_a_very_long_workflow_transition_'.repeat(3)}`;
const envelope = {
  id: 'delivery-1',
  source: 'jira',
  type: longType,
  action: 'updated',
  subject: 'PROJ',
  receivedAt: '2026-05-04T10:00:00.000Z',
  meta: {},
  payload: { webhookEvent: longType },
};

describe('bus DetailType within EventBridge limits', () => {
  it('leaves a type and action that fit as <type>.<action>, with no extra field', () => {
    expect(busDetailType('push')).toBe('push');
    expect(busDetailType('pull_request', 'opened')).toBe('pull_request.opened');
    expect(parseEnvelope({ ...envelope, type: 'push' }).detailType).toBeUndefined();
  });

  it('shortens a longer one to 128 characters, keeping the original type and action in the envelope', () => {
    const parsed = parseEnvelope(envelope);

    expect(longType.length).toBeGreaterThan(EVENTBRIDGE_MAX_DETAIL_TYPE_CHARS);
    expect(parsed.detailType).toHaveLength(EVENTBRIDGE_MAX_DETAIL_TYPE_CHARS);
    expect(parsed.detailType).toMatch(/^jira:custom_field_changed.*~[0-9a-f]{16}$/);
    expect(parsed.type).toBe(longType);
    expect(parsed.action).toBe('updated');
    expect(busDetailType(longType, 'created')).not.toBe(parsed.detailType);
  });

  it('is what the local bus accepts, while it refuses the unshortened one like EventBridge', async () => {
    const putEvents = eventBridgeSink(await mkdtemp(join(tmpdir(), 'bus-')));
    const entry = (DetailType: string) => ({
      Source: 'webhooks.jira',
      DetailType,
      Detail: JSON.stringify(envelope),
      EventBusName: 'webhooks',
    });

    const result = await putEvents({
      Entries: [entry(busDetailType(longType, 'updated')), entry(`${longType}.updated`)],
    });

    expect(result.FailedEntryCount).toBe(1);
    expect(result.Entries[0]).toEqual({ EventId: expect.any(String) });
    expect(result.Entries[1]).toEqual(expect.objectContaining({ ErrorCode: 'InvalidArgument' }));
  });
});
