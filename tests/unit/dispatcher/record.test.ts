import {
  InvalidRecord,
  MAX_WORKFLOW_INPUT_BYTES,
  readRecord,
} from '../../../functions/lib/dispatcher/record';
import { claimChecked, githubEnvelope, octokitPayload } from '../../statemachine/support/envelopes';

const base64 = (value: unknown) =>
  Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64');

describe('readRecord', () => {
  it('turns a record of a real envelope into that envelope and its execution input', () => {
    const envelope = githubEnvelope('pull_request', octokitPayload('pull_request', 0));

    const { envelope: read, input } = readRecord(base64(envelope));

    expect(read).toEqual(envelope);
    expect(JSON.parse(input)).toEqual(envelope);
  });

  it('keeps a claim-checked envelope as it is: payloadRef, no payload', () => {
    const envelope = claimChecked(githubEnvelope('push', octokitPayload('push', 4)));

    const { input } = readRecord(base64(envelope));

    expect(JSON.parse(input)).toEqual(envelope);
  });

  it('passes on only what parseEnvelope accepted: never both payload and payloadRef', () => {
    const envelope = githubEnvelope('push', octokitPayload('push', 4));
    const both = { ...envelope, payloadRef: claimChecked(envelope).payloadRef, extra: 'ignored' };

    const { input } = readRecord(base64(both));

    expect(JSON.parse(input)).toEqual(envelope);
  });

  it.each([
    ['data that is not JSON', '{"id":"8c4d7e30", "source": "git'],
    ['a raw GitHub body instead of an envelope', JSON.stringify(octokitPayload('issues', 15))],
    ['an envelope from an unknown source', JSON.stringify({ ...githubEnvelope('push', {}), source: 'svn' })],
  ])('refuses %s', (_, data) => {
    expect(() => readRecord(base64(data))).toThrow(InvalidRecord);
  });

  it('refuses an envelope too large to be a workflow input (and so a bus event)', () => {
    const envelope = githubEnvelope('push', {
      ...octokitPayload('push', 4),
      padding: 'x'.repeat(MAX_WORKFLOW_INPUT_BYTES),
    });

    expect(() => readRecord(base64(envelope))).toThrow(/above the \d+ a workflow input may have/);
  });
});

describe('readRecord input', () => {
  it('passes an envelope as ingest wrote it on byte for byte, without re-serializing it', () => {
    // Key order and spacing that JSON.stringify of the parsed envelope would not reproduce.
    const envelope = githubEnvelope('issues', octokitPayload('issues', 0));
    const text = JSON.stringify(envelope, null, 1);

    const { input } = readRecord(base64(text));

    expect(input).toBe(text);
  });
});
