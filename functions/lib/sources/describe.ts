import { fieldText } from './fields';
import type { DeliveryDescription, Headers, SourceDefinition } from './types';

/** Meta every source keeps. */
const COMMON_META_HEADERS = { userAgent: 'User-Agent', contentType: 'Content-Type' } as const;

/** What a delivery says about itself, read where its source's definition says. */
export function describeDelivery(
  source: SourceDefinition,
  headers: Headers,
  payload: Record<string, unknown>,
): DeliveryDescription {
  const { delivery } = source;
  const type =
    'header' in delivery.type
      ? header(headers, delivery.type.header)
      : 'field' in delivery.type
        ? fieldText(payload, delivery.type.field)
        : delivery.type.value;
  const action =
    typeof delivery.action === 'object' && 'fromType' in delivery.action
      ? type && delivery.action.fromType(type)
      : fieldText(payload, delivery.action);
  const description: DeliveryDescription = {
    type,
    subject: fieldText(payload, delivery.subject) ?? '-',
    meta: pickHeaders(headers, [delivery.meta ?? {}, COMMON_META_HEADERS]),
  };
  if (action !== undefined) description.action = action;
  const deliveryId = firstHeader(headers, delivery.idHeaders) ?? fieldText(payload, delivery.idField);
  if (deliveryId !== undefined) description.deliveryId = deliveryId;
  return description;
}

function firstHeader(headers: Headers, names: readonly string[] = []): string | undefined {
  for (const name of names) {
    const value = header(headers, name);
    if (value !== undefined) return value;
  }
  return undefined;
}

/** A header's non-empty value; `name` in any case. */
function header(headers: Headers, name: string): string | undefined {
  const value = headers[name.toLowerCase()];
  return value === '' ? undefined : value;
}

/**
 * Delivery metadata from headers, by meta key: only the named headers that are present, so envelopes never
 * carry credentials by accident.
 */
function pickHeaders(
  headers: Headers,
  lists: readonly Readonly<Record<string, string>>[],
): Record<string, string> {
  const meta: Record<string, string> = {};
  for (const names of lists) {
    for (const key in names) {
      const value = header(headers, names[key] as string);
      if (value !== undefined) meta[key] = value;
    }
  }
  return meta;
}
