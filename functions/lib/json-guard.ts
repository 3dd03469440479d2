const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACE = 0x7d;
const CLOSE_BRACKET = 0x5d;

/** Deeper than any real webhook payload, shallow enough for every recursive consumer downstream. */
export const MAX_JSON_DEPTH = 512;

/**
 * True when JSON text nests objects/arrays deeper than `limit`. A flat scan over the bytes (no recursion,
 * no parse), so a hostile body of 100k opening brackets is refused in linear time before JSON.parse or
 * any recursive consumer (logging, serializers, OpenSearch) meets it. Strings are skipped with the native
 * indexOf because most bytes of a payload sit inside strings. Malformed text is left to JSON.parse.
 */
export function jsonNestingExceeds(bytes: Buffer, limit = MAX_JSON_DEPTH): boolean {
  let depth = 0;
  let index = 0;
  const length = bytes.length;
  while (index < length) {
    const byte = bytes[index];
    if (byte === QUOTE) {
      const end = closingQuote(bytes, index + 1);
      if (end < 0) return false;
      index = end + 1;
      continue;
    }
    if (byte === OPEN_BRACE || byte === OPEN_BRACKET) {
      depth += 1;
      if (depth > limit) return true;
    } else if (byte === CLOSE_BRACE || byte === CLOSE_BRACKET) {
      depth -= 1;
    }
    index += 1;
  }
  return false;
}

/** Index of the quote that ends a string starting at `from`, or -1: a quote after an even run of backslashes. */
function closingQuote(bytes: Buffer, from: number): number {
  let candidate = bytes.indexOf(QUOTE, from);
  while (candidate >= 0) {
    let backslashes = 0;
    for (let before = candidate - 1; before >= from && bytes[before] === BACKSLASH; before -= 1)
      backslashes += 1;
    if (backslashes % 2 === 0) return candidate;
    candidate = bytes.indexOf(QUOTE, candidate + 1);
  }
  return -1;
}
