import type { Field } from './types';

/**
 * The text at a dotted path of a parsed payload: a non-empty string, or a finite number as text; undefined
 * when any step is missing or the value is of another type. Numeric steps index arrays. Hand-written (a
 * dozen lines) because ingest runs it on every request: a JMESPath search, the language of compliance
 * conditions, costs about ten times more per field there.
 */
export function textAt(payload: unknown, path: string): string | undefined {
  let node = payload;
  for (const step of path.split('.')) {
    if (typeof node !== 'object' || node === null || !Object.hasOwn(node, step)) return undefined;
    if (Array.isArray(node) && !/^\d+$/.test(step)) return undefined;
    node = (node as Record<string, unknown>)[step];
  }
  if (typeof node === 'number' && Number.isFinite(node)) return String(node);
  return typeof node === 'string' && node !== '' ? node : undefined;
}

/** The text of a field a source declares (the first path present, for a list of paths). */
export function fieldText(payload: unknown, field: Field | undefined): string | undefined {
  if (field === undefined) return undefined;
  if (typeof field === 'function') return field((path) => textAt(payload, path));
  const paths: readonly string[] = typeof field === 'string' ? [field] : field;
  for (const path of paths) {
    const text = textAt(payload, path);
    if (text !== undefined) return text;
  }
  return undefined;
}
