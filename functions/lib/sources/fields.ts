import { search } from '@aws-lambda-powertools/jmespath';
import type { Field } from './types';

/**
 * The text a field holds in a payload: a non-empty string, or a finite number as text. Undefined when the
 * field is absent or of another type, and when its expression does not apply to this payload's shapes
 * (a JMESPath type error): a sender's odd payload never fails a step over a copied-out field.
 */
export function fieldText(payload: unknown, field: Field | undefined): string | undefined {
  if (field === undefined || typeof payload !== 'object' || payload === null) return undefined;
  const path = typeof field === 'string' ? field : field.path;
  let value: unknown;
  try {
    value = search(path, payload);
  } catch {
    return undefined;
  }
  const text =
    typeof value === 'number' && Number.isFinite(value)
      ? String(value)
      : typeof value === 'string' && value !== ''
        ? value
        : undefined;
  return text === undefined || typeof field === 'string' ? text : field.reshape(text);
}
