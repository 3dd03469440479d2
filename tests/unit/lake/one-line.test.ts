import { jsonTextProblem, lakeLine, toOneLine } from '../../../functions/lib/lake/one-line';
import { octokitPayload } from '../../statemachine/support/envelopes';
import { bodyText, DELIVERIES, deliveryRecord } from './support/fixture';

const LF = 0x0a;
const CR = 0x0d;
const lineBreaks = (bytes: Uint8Array) => bytes.filter((byte) => byte === LF || byte === CR).length;

describe('lakeLine: one stream record as one line of the lake', () => {
  it.each(DELIVERIES)(
    'a $style $type envelope becomes one line, equal as JSON, one byte longer',
    (delivery) => {
      const record = deliveryRecord(delivery);

      const result = lakeLine(record);

      expect(result.ok).toBe(true);
      const line = result.ok ? result.line : Buffer.alloc(0);
      expect(line.length).toBe(record.length + 1);
      expect(line.at(-1)).toBe(LF);
      expect(lineBreaks(line.subarray(0, -1))).toBe(0);
      expect(JSON.parse(line.toString('utf8'))).toEqual(JSON.parse(record.toString('utf8')));
      expect(JSON.parse(line.toString('utf8')).payload).toEqual(delivery.payload);
    },
  );

  it('the pretty-printed fixtures really span several lines before the transform', () => {
    const pretty = DELIVERIES.filter((delivery) => delivery.style !== 'compact');

    expect(pretty.map((delivery) => lineBreaks(deliveryRecord(delivery)) > 0)).toEqual(
      pretty.map(() => true),
    );
  });

  it('turns each CR and LF of a CRLF body into one space, nothing else changed', () => {
    const record = Buffer.from('{\r\n  "a": [\r\n    1\r\n  ]\r\n}');

    expect(toOneLine(record).toString('utf8')).toBe('{    "a": [      1    ]  }\n');
  });

  it('leaves escaped \\n and \\r\\n sequences inside strings as they are', () => {
    const payload = octokitPayload('security_advisory', 2);
    const body = Buffer.from(bodyText(payload, 'pretty-crlf'));
    const escapedBefore = body.toString('utf8').match(/(?:\\r)?\\n/g) ?? [];

    const line = toOneLine(body).toString('utf8');

    expect(escapedBefore.length).toBeGreaterThan(0);
    expect(line.match(/(?:\\r)?\\n/g)).toEqual(escapedBefore);
    expect(JSON.parse(line)).toEqual(payload);
  });

  it('keeps multi-byte UTF-8 characters intact', () => {
    const record = Buffer.from('{\n"emoji": "🎉 naïve 日本"\n}');

    const result = lakeLine(record);

    expect(result.ok && JSON.parse(result.line.toString('utf8'))).toEqual({ emoji: '🎉 naïve 日本' });
  });

  it('adds exactly one delimiter to a record that already ends with a line break', () => {
    const record = Buffer.from('{"a":1}\n');

    expect(toOneLine(record).toString('utf8')).toBe('{"a":1} \n');
  });

  it('reads its input through a view without touching bytes outside it', () => {
    const backing = Buffer.from('xx{\n"a":1}\nyy');
    const view = backing.subarray(2, 11);

    const result = lakeLine(view);

    expect(result.ok && result.line.toString('utf8')).toBe('{ "a":1} \n');
    expect(backing.toString('utf8')).toBe('xx{\n"a":1}\nyy');
  });

  it.each([
    [
      'a truncated envelope',
      deliveryRecord(DELIVERIES[0] as (typeof DELIVERIES)[0]).subarray(0, 512),
      'not valid JSON',
    ],
    ['plain text', Buffer.from('not json'), 'not valid JSON'],
    ['an empty record', Buffer.alloc(0), 'not valid JSON'],
    ['a raw line break inside a string', Buffer.from('{"a":"line\nbreak"}'), 'not valid JSON'],
    ['invalid UTF-8', Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0x22, 0x7d]), 'not valid UTF-8'],
  ])('refuses %s', (_, record, reason) => {
    expect(lakeLine(record)).toEqual({ ok: false, reason });
    expect(jsonTextProblem(record)).toBe(reason);
  });
});
