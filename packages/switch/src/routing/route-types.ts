// What the router is asked and what it answers.

export type Origin = { kind: "extension"; extension: string } | { kind: "trunk"; trunk: string };

export interface RouteInput {
  /** The dialled number (Request-URI user; for trunk calls after normalizeInbound). */
  dialed: string;
  /** The caller's number (From user; for trunk calls after normalizeInbound). */
  caller: string;
  origin: Origin;
}

export const FEATURE_ACTIONS = [
  "dnd-on", "dnd-off", "forward-always", "forward-busy", "forward-no-answer", "forward-off", "call-waiting-on", "call-waiting-off",
  "agent-login", "agent-logout", "agent-break", "agent-available",
  "supervisor-listen", "supervisor-whisper", "supervisor-barge", "supervisor-take-over", "supervisor-hangup",
  "force-available", "force-break", "force-logout",
] as const;
export type FeatureAction = (typeof FEATURE_ACTIONS)[number];

export const REJECT_WHYS = ["blacklisted", "class-of-service", "unknown-number", "no-route", "invalid-number"] as const;
export type RejectWhy = (typeof REJECT_WHYS)[number];

export type Target =
  | { kind: "extension"; extension: string }
  | {
      kind: "ring-group";
      number: string;
      strategy: "simultaneous" | "sequential" | "round-robin";
      members: string[];
      ringSeconds: number;
      memberRingSeconds: number;
      noAnswer: string | null;
    }
  /** An ACD queue of DialPlan.queues: the caller waits there for an agent. */
  | { kind: "queue"; number: string }
  /** `number` is what goes to the carrier (after strip/prepend); `trunks` in failover order. */
  | { kind: "outbound"; route: string; number: string; trunks: string[] }
  /** slot null: the park code, park in the first free slot; a slot: park there if free, retrieve if occupied. */
  | { kind: "park"; slot: string | null }
  | { kind: "pickup" }
  | { kind: "directed-pickup"; extension: string }
  | { kind: "feature"; action: FeatureAction; argument: string | null }
  | { kind: "reject"; status: number; reason: string; q850: number; why: RejectWhy };

export interface RouteDecision {
  target: Target;
  priority: { level: number; label: string } | null;
  /** Human-readable steps: "number 12345", "schedule office: closed (holiday 2026-10-01)", "→ 1003". */
  trace: string[];
}

export type RejectTarget = Extract<Target, { kind: "reject" }>;

/**
 * The answer for each refusal: SIP status, reason phrase and the Q.850 cause for the Reason
 * header (RFC 3326). Status ↔ cause pairs follow RFC 3398 §8.2.6.1 (ISUP cause → SIP status)
 * where it has one.
 */
export const REJECTS = {
  // The contract asks for busy (486), so a blacklisted caller hears an ordinary busy tone, with
  // cause 21 "call rejected" for the CDR; RFC 3398 would pair 486 with 17 "user busy".
  blacklisted: { kind: "reject", status: 486, reason: "Busy Here", q850: 21, why: "blacklisted" },
  // Cause 52 "outgoing calls barred": the ETSI ISUP/DSS1 value (EN 300 403-1) that Asterisk
  // (causes.h AST_CAUSE_OUTGOING_CALL_BARRED) and FreeSWITCH (SWITCH_CAUSE_OUTGOING_CALL_BARRED)
  // use for barring; Q.850 itself only lists 53 "outgoing calls barred within CUG", which is
  // about closed user groups. Class of service is exactly outgoing-call barring.
  "class-of-service": { kind: "reject", status: 403, reason: "Class of service", q850: 52, why: "class-of-service" },
  // A call from a trunk that would go out through a trunk again (toll fraud through hotline).
  // RFC 3398 §8.2.6.1: 21 "call rejected" ↔ 403.
  "no-route": { kind: "reject", status: 403, reason: "Transit not allowed", q850: 21, why: "no-route" },
  // RFC 3398 §8.2.6.1: 1 "unallocated (unassigned) number" ↔ 404.
  "unknown-number": { kind: "reject", status: 404, reason: "Not Found", q850: 1, why: "unknown-number" },
  // RFC 3398 §8.2.6.1: 28 "invalid number format (address incomplete)" ↔ 484.
  "invalid-number": { kind: "reject", status: 484, reason: "Address Incomplete", q850: 28, why: "invalid-number" },
} as const satisfies Record<RejectWhy, RejectTarget>;

/**
 * A destination chain longer than this is a loop (the configuration check refuses loops, so
 * this only guards plans that skipped it): 482 Loop Detected with cause 25 "exchange routing
 * error", the pair jtel and other gateways use.
 */
export const LOOP_REJECT: RejectTarget = { kind: "reject", status: 482, reason: "Loop Detected", q850: 25, why: "no-route" };

export function rejection(why: RejectWhy): RejectTarget {
  return { ...REJECTS[why] };
}
