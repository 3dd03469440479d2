import type { DnsPolicy } from '../dns/policy';
import { validateDnsRequest } from '../dns/validation';
import type { PayloadCheck, SourceDefinition } from './types';

/** Settings, checked at cold start, that payload checks need. */
export interface PayloadCheckSettings {
  /** Absent: dynamic DNS is off, and every dns request is refused (422). */
  dnsPolicy?: DnsPolicy | undefined;
}

/** Each kind of check: throws RejectedRequest (400 malformed, 422 not allowed) to refuse the request. */
const CHECKS: Record<
  PayloadCheck,
  (payload: Record<string, unknown>, settings: PayloadCheckSettings) => void
> = {
  'dns-request': (payload, settings) => {
    validateDnsRequest(payload, settings.dnsPolicy);
  },
};

/** Runs the cheap checks a source declares on a parsed payload before it enters the stream. */
export function checkPayload(
  source: SourceDefinition,
  payload: Record<string, unknown>,
  settings: PayloadCheckSettings,
): void {
  if (source.payloadCheck !== undefined) CHECKS[source.payloadCheck](payload, settings);
}
