import { gzipSync } from 'node:zlib';
import { decodeObject, splitJsonValues } from '../../local/replay/records';
import { githubPayload, githubRecord, streamRecord } from './support';

describe('reading archived objects', () => {
  const push = githubRecord('push', githubPayload('push'), new Date('2026-11-01T10:00:00.000Z'));
  const issue = githubRecord('issues', githubPayload('issues'), new Date('2026-11-01T10:00:01.000Z'));

  it('reads GZIP newline-delimited envelopes back as their exact original text', () => {
    const body = gzipSync(`${push.text}\n${issue.text}\n`);

    const { records, invalid } = decodeObject(body);

    expect(invalid).toBe(0);
    expect(records.map((record) => record.text)).toEqual([push.text, issue.text]);
    expect(records[1]?.envelope.type).toBe('issues');
    expect(records[0]?.receivedAtMs).toBe(Date.parse('2026-11-01T10:00:00.000Z'));
  });

  it('splits records Firehose concatenated without a delimiter', () => {
    const { records } = decodeObject(gzipSync(push.text + issue.text));

    expect(records.map((record) => record.text)).toEqual([push.text, issue.text]);
  });

  it('keeps a pretty-printed body whole, braces and quotes inside strings included', () => {
    const body = JSON.stringify(
      { action: 'opened', note: 'a } and a { and a \\" quote', nested: { a: [1, 2] } },
      null,
      2,
    );
    const pretty = streamRecord({
      source: 'gitlab',
      type: 'Issue Hook',
      subject: 'group/project',
      receivedAt: new Date('2026-11-01T11:00:00.000Z'),
      body,
    });

    const { records, invalid } = decodeObject(gzipSync(`${pretty.text}\n${push.text}\n`));

    expect(invalid).toBe(0);
    expect(records.map((record) => record.text)).toEqual([pretty.text, push.text]);
    expect(records[0]?.envelope.payload).toEqual(JSON.parse(body));
  });

  it('reads several GZIP members in one object, as appended archives have', () => {
    const body = Buffer.concat([gzipSync(`${push.text}\n`), gzipSync(`${issue.text}\n`)]);

    expect(decodeObject(body).records).toHaveLength(2);
  });

  it('reads uncompressed copies too', () => {
    expect(decodeObject(Buffer.from(`${push.text}\n`)).records).toHaveLength(1);
  });

  it('counts what is not an envelope instead of failing the object', () => {
    const text = `${push.text}\nnot json\n{"source":"github"}\n[1,2]\n${issue.text}\n{"id":"trunc`;

    const { records, invalid } = decodeObject(gzipSync(text));

    expect(records.map((record) => record.envelope.id)).toEqual([push.envelope.id, issue.envelope.id]);
    // "not json", the object without envelope fields, the array, the truncated tail.
    expect(invalid).toBe(4);
  });

  it('splits top-level values without parsing them', () => {
    expect(splitJsonValues(' {"a":"}"} [{"b":1}]\n{}')).toEqual({
      values: ['{"a":"}"}', '[{"b":1}]', '{}'],
      invalid: 0,
    });
  });
});
