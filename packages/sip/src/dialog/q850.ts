/**
 * Why a call ended: ITU-T Q.850 cause values and their mapping to and from SIP status
 * codes by the ISUP tables of RFC 3398 §7.2.4.1 and §8.2.6.1. (RFC 4497 has QSIG
 * counterparts of these tables; hotline does not speak QSIG and uses RFC 3398's.) The
 * Reason header that carries a cause is in reason-header.ts.
 */

export interface HangupCause {
  /** The Q.850 cause value (7 bits). */
  q850: number;
  /** The Q.850 name of the cause. */
  text: string;
}

/**
 * The causes hotline uses or meets, with their Q.850 names. Every cause of both RFC 3398
 * tables below is here, so describeCause() names each of them.
 */
export const CAUSES = {
  UNALLOCATED_NUMBER: { q850: 1, text: "Unallocated (unassigned) number" },
  NO_ROUTE_TRANSIT_NETWORK: { q850: 2, text: "No route to specified transit network" },
  NO_ROUTE_DESTINATION: { q850: 3, text: "No route to destination" },
  NORMAL_CLEARING: { q850: 16, text: "Normal call clearing" },
  USER_BUSY: { q850: 17, text: "User busy" },
  NO_USER_RESPONSE: { q850: 18, text: "No user responding" },
  NO_ANSWER: { q850: 19, text: "No answer from user (user alerted)" },
  SUBSCRIBER_ABSENT: { q850: 20, text: "Subscriber absent" },
  CALL_REJECTED: { q850: 21, text: "Call rejected" },
  NUMBER_CHANGED: { q850: 22, text: "Number changed" },
  REDIRECTION_TO_NEW_DESTINATION: { q850: 23, text: "Redirection to new destination" },
  EXCHANGE_ROUTING_ERROR: { q850: 25, text: "Exchange routing error" },
  NON_SELECTED_USER_CLEARING: { q850: 26, text: "Non-selected user clearing" },
  DESTINATION_OUT_OF_ORDER: { q850: 27, text: "Destination out of order" },
  INVALID_NUMBER_FORMAT: { q850: 28, text: "Invalid number format (address incomplete)" },
  FACILITY_REJECTED: { q850: 29, text: "Facility rejected" },
  NORMAL_UNSPECIFIED: { q850: 31, text: "Normal, unspecified" },
  NO_CIRCUIT_AVAILABLE: { q850: 34, text: "No circuit/channel available" },
  NETWORK_OUT_OF_ORDER: { q850: 38, text: "Network out of order" },
  TEMPORARY_FAILURE: { q850: 41, text: "Temporary failure" },
  SWITCHING_EQUIPMENT_CONGESTION: { q850: 42, text: "Switching equipment congestion" },
  RESOURCE_UNAVAILABLE: { q850: 47, text: "Resource unavailable, unspecified" },
  INCOMING_CALLS_BARRED_WITHIN_CUG: { q850: 55, text: "Incoming calls barred within CUG" },
  BEARER_CAPABILITY_NOT_AUTHORIZED: { q850: 57, text: "Bearer capability not authorized" },
  BEARER_CAPABILITY_NOT_AVAILABLE: { q850: 58, text: "Bearer capability not presently available" },
  SERVICE_OR_OPTION_NOT_AVAILABLE: { q850: 63, text: "Service or option not available, unspecified" },
  BEARER_CAPABILITY_NOT_IMPLEMENTED: { q850: 65, text: "Bearer capability not implemented" },
  ONLY_RESTRICTED_DIGITAL_AVAILABLE: { q850: 70, text: "Only restricted digital information bearer capability is available" },
  SERVICE_OR_OPTION_NOT_IMPLEMENTED: { q850: 79, text: "Service or option not implemented, unspecified" },
  USER_NOT_MEMBER_OF_CUG: { q850: 87, text: "User not member of CUG" },
  INCOMPATIBLE_DESTINATION: { q850: 88, text: "Incompatible destination" },
  RECOVERY_ON_TIMER_EXPIRY: { q850: 102, text: "Recovery on timer expiry" },
  PROTOCOL_ERROR: { q850: 111, text: "Protocol error, unspecified" },
  INTERWORKING: { q850: 127, text: "Interworking, unspecified" },
} as const satisfies Record<string, HangupCause>;

export type CauseName = keyof typeof CAUSES;

const BY_VALUE: ReadonlyMap<number, HangupCause> = new Map(Object.values(CAUSES).map((c) => [c.q850, c]));

/** The registry entry for a cause value, or a generic name for one hotline does not list. */
export function describeCause(q850: number): HangupCause {
  return BY_VALUE.get(q850) ?? { q850, text: `Cause ${q850}` };
}

/**
 * RFC 3398 §8.2.6.1, "SIP final response received → cause value in the REL", complete.
 * Not in the table: 487 ("no mapping": the call was cancelled by our side, which knows
 * its own cause) and 488/606 ("by Warning header", see sipStatusToQ850).
 */
export const RFC3398_SIP_TO_Q850: Readonly<Record<number, number>> = {
  400: 41, 401: 21, 402: 21, 403: 21, 404: 1, 405: 63, 406: 79, 407: 21, 408: 102, 410: 22,
  413: 127, 414: 127, 415: 79, 416: 127, 420: 127, 421: 127, 423: 127, 480: 18, 481: 41,
  482: 25, 483: 25, 484: 28, 485: 1, 486: 17, 500: 41, 501: 79, 502: 38, 503: 41, 504: 102,
  505: 127, 513: 127, 600: 17, 603: 21, 604: 1,
};

/**
 * RFC 3398 §7.2.4.1, "ISUP cause value → SIP response", complete. Not in the table: 16
 * (normal call clearing ends an established call with BYE, or a pending one with CANCEL,
 * not with a response) and 22 with diagnostic (301 with the new number in Contact).
 */
export const RFC3398_Q850_TO_SIP: Readonly<Record<number, number>> = {
  1: 404, 2: 404, 3: 404, 17: 486, 18: 408, 19: 480, 20: 480, 21: 403, 22: 410, 23: 410,
  26: 404, 27: 502, 28: 484, 29: 501, 31: 480, 34: 503, 38: 503, 41: 503, 42: 503, 47: 503,
  55: 403, 57: 403, 58: 503, 65: 488, 70: 488, 79: 501, 87: 403, 88: 503, 102: 504, 111: 500,
  127: 500,
};

/**
 * RFC 3261 §20.43 warn-codes that speak of an unavailable bearer capability: media type
 * not available (304), incompatible media format (305), insufficient bandwidth (370).
 */
const BEARER_WARNINGS: ReadonlySet<number> = new Set([304, 305, 370]);

/**
 * The Q.850 cause for a final SIP response (RFC 3398 §8.2.6.1):
 * - the table above;
 * - 488/606: 65 "Bearer capability not implemented" when the Warning code speaks to an
 *   unavailable bearer capability, else 31 "Normal, unspecified" (the RFC's default);
 * - anything else (487, statuses the RFC does not list): 31; a 2xx: 16.
 */
export function sipStatusToQ850(status: number, warningCode?: number | null): number {
  const mapped = RFC3398_SIP_TO_Q850[status];
  if (mapped !== undefined) return mapped;
  if (status === 488 || status === 606) return warningCode != null && BEARER_WARNINGS.has(warningCode) ? 65 : 31;
  return status >= 200 && status < 300 ? 16 : 31;
}

/**
 * The SIP status for a Q.850 cause when a pending INVITE must be answered (RFC 3398
 * §7.2.4.1). 21 "call rejected" at the user's location is 603 Decline instead of 403 (the
 * table's note: a 6xx when the cause location is "user"). Causes the table does not list
 * (16 among them) go by their Q.850 class: the normal classes (0–31) like 31 → 480, all
 * others like 127 → 500.
 */
export function q850ToSipStatus(cause: number, opts: { userLocation?: boolean } = {}): number {
  if (cause === 21 && opts.userLocation === true) return 603;
  return RFC3398_Q850_TO_SIP[cause] ?? (cause >= 0 && cause <= 31 ? 480 : 500);
}
