import { RejectedRequest } from '../../../functions/lib/errors';
import { decodeBody, lowerCaseHeaders, payloadBytes } from '../../../functions/lib/request-body';

describe('decodeBody', () => {
  it('returns the exact bytes of a text body and of a base64 body', () => {
    const json = '{"emoji":"🚀","quote":"\\"x\\""}';

    expect(decodeBody(json, false, 1024).equals(Buffer.from(json, 'utf8'))).toBe(true);
    expect(decodeBody(Buffer.from(json).toString('base64'), true, 1024).toString('utf8')).toBe(json);
  });

  it('refuses a body over the limit with 413, text or base64, at the exact boundary', () => {
    const at = (size: number) => 'x'.repeat(size);

    expect(decodeBody(at(100), false, 100)).toHaveLength(100);
    expect(() => decodeBody(at(101), false, 100)).toThrow(expect.objectContaining({ statusCode: 413 }));
    expect(decodeBody(Buffer.from(at(100)).toString('base64'), true, 100)).toHaveLength(100);
    expect(() => decodeBody(Buffer.from(at(101)).toString('base64'), true, 100)).toThrow(RejectedRequest);
  });

  it('refuses a 50 MB base64 body before decoding it', () => {
    const huge = 'A'.repeat(50 * 1024 * 1024);

    expect(() => decodeBody(huge, true, 10 * 1024 * 1024)).toThrow(
      expect.objectContaining({ statusCode: 413 }),
    );
  });

  it('treats a missing body as empty', () => {
    expect(decodeBody(null, false, 10)).toHaveLength(0);
  });
});

describe('payloadBytes', () => {
  const json = Buffer.from('{"zen":"a b&c=d+e"}');

  it('takes JSON bodies as they are, with or without a charset, and when no type is given', () => {
    expect(payloadBytes('application/json', json)).toBe(json);
    expect(payloadBytes('Application/JSON; charset=utf-8', json)).toBe(json);
    expect(payloadBytes('application/vnd.api+json', json)).toBe(json);
    expect(payloadBytes(undefined, json)).toBe(json);
  });

  it("reads the payload field of GitHub's form-encoded deliveries", () => {
    const form = Buffer.from(`payload=${encodeURIComponent(json.toString())}`);

    expect(payloadBytes('application/x-www-form-urlencoded', form).toString()).toBe(json.toString());
  });

  it('refuses a form without payload (400) and other media types (415)', () => {
    expect(() => payloadBytes('application/x-www-form-urlencoded', Buffer.from('a=1'))).toThrow(
      expect.objectContaining({ statusCode: 400 }),
    );
    expect(() => payloadBytes('text/xml', Buffer.from('<a/>'))).toThrow(
      expect.objectContaining({ statusCode: 415 }),
    );
  });
});

describe('lowerCaseHeaders', () => {
  it('lower-cases names and drops absent values', () => {
    expect(lowerCaseHeaders({ 'X-GitHub-Event': 'push', 'X-Other': undefined })).toEqual({
      'x-github-event': 'push',
    });
    expect(lowerCaseHeaders(null)).toEqual({});
  });
});
