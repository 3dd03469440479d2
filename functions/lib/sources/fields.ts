import type { Headers } from './types';

/** The string at a path of nested objects in a parsed payload, or undefined (numbers are stringified). */
export function stringAt(value: unknown, ...path: string[]): string | undefined {
  let current = value;
  for (const key of path) {
    if (typeof current !== 'object' || current === null || Array.isArray(current)) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  if (typeof current === 'number' && Number.isFinite(current)) return String(current);
  return typeof current === 'string' && current !== '' ? current : undefined;
}

/** The first of several candidate values that is present. */
export function firstOf(...values: (string | undefined)[]): string | undefined {
  return values.find((value) => value !== undefined && value !== '');
}

/**
 * Delivery metadata from headers, by meta key: only the named headers that are present, so envelopes never
 * carry credentials by accident.
 */
export function pickHeaders(headers: Headers, names: Record<string, string>): Record<string, string> {
  const meta: Record<string, string> = {};
  for (const [key, header] of Object.entries(names)) {
    const value = headers[header];
    if (value !== undefined && value !== '') meta[key] = value;
  }
  return meta;
}

/** Meta every source keeps. */
export const COMMON_META_HEADERS = { userAgent: 'user-agent', contentType: 'content-type' } as const;
