import { jsonNestingExceeds, MAX_JSON_DEPTH } from '../../../functions/lib/json-guard';

const nested = (depth: number, open = '[', close = ']') =>
  Buffer.from(open.repeat(depth) + close.repeat(depth));

describe('jsonNestingExceeds', () => {
  it('allows nesting up to the limit and refuses one level more', () => {
    expect(jsonNestingExceeds(nested(MAX_JSON_DEPTH))).toBe(false);
    expect(jsonNestingExceeds(nested(MAX_JSON_DEPTH + 1))).toBe(true);
  });

  it('counts objects and arrays alike', () => {
    const mixed = Buffer.from(`${'{"a":['.repeat(300)}1${']}'.repeat(300)}`);

    expect(jsonNestingExceeds(mixed)).toBe(true);
    expect(jsonNestingExceeds(mixed, 600)).toBe(false);
  });

  it('refuses 100,000 levels without recursing', () => {
    expect(jsonNestingExceeds(nested(100_000))).toBe(true);
    expect(jsonNestingExceeds(Buffer.from('['.repeat(100_000)))).toBe(true);
  });

  it('ignores brackets inside strings, including after escaped quotes and backslashes', () => {
    const inString = Buffer.from(JSON.stringify({ text: `\\"${'['.repeat(2_000)}\\\\`, more: '{{{' }));

    expect(jsonNestingExceeds(inString, 2)).toBe(false);
  });

  it('sees nesting that follows a string ending in an escaped backslash', () => {
    const text = Buffer.from(`{"a":"x\\\\","b":${'['.repeat(10)}${']'.repeat(10)}}`);

    expect(JSON.parse(text.toString())).toHaveProperty('b');
    expect(jsonNestingExceeds(text, 5)).toBe(true);
  });

  it('leaves malformed text (an unterminated string) to the parser', () => {
    expect(jsonNestingExceeds(Buffer.from('{"a":"[[[['), 2)).toBe(false);
  });
});
