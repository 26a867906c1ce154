/**
 * One call as the B2BUA sees it: the side being served (`a`: the caller, or after a
 * transfer the transferee), the side it is connected to (`b`), the dial attempt in
 * progress, and the facts its CDR is written from. Legs are never reused across calls.
 */
import type { CallDirection } from "../store.js";
import type { Leg } from "./leg.js";
import type { CancelTimer } from "./ports.js";

export const CALL_STATES = ["routing", "dialing", "queued", "connected", "parked", "ended"] as const;
export type CallState = (typeof CALL_STATES)[number];

export type HangupBy = "caller" | "callee" | "system";

export interface CallPriority {
  level: number;
  label: string | null;
}

export class Call {
  state: CallState = "routing";
  /** The party being served: the caller at first, the transferee after a transfer. */
  a!: Leg;
  /** The party `a` is talking to, once connected. */
  b: Leg | null = null;
  /** Every leg the call ever had, for the CDR. */
  readonly legs: Leg[] = [];
  direction: CallDirection = "internal";
  answeredAt: number | null = null;
  answeredBy: string | null = null;
  /** Trunk the call came in on or went out through. */
  trunk: string | null = null;
  hangupBy: HangupBy | null = null;
  /** Final SIP status given to the caller when the call failed. */
  failureStatus: number | null = null;
  cause = 16;
  /** Set when the dial plan refused the call (blacklist, class of service, …): not a missed call. */
  refusedBy: string | null = null;
  priority: CallPriority = { level: 0, label: null };
  /** Human-readable routing steps (shown in `status` and the journal). */
  readonly trace: string[] = [];
  /** Extensions this call currently occupies (caller and answered/ringing callees). */
  readonly occupies = new Set<string>();
  /** The extension that parked this call, to ring back on timeout. */
  parkedBy: string | null = null;
  parkedSlot: string | null = null;
  /** The extension being rung (for pickup), while dialing. */
  ringing = new Set<string>();
  private readonly timers = new Set<CancelTimer>();

  constructor(
    readonly id: string,
    readonly sipCallId: string,
    readonly startedAt: number,
    readonly caller: string,
    readonly callerName: string | null,
    readonly dialed: string,
  ) {}

  /** A method, not a property check, so TypeScript does not narrow it away across awaits. */
  isEnded(): boolean {
    return this.state === "ended";
  }

  addLeg(leg: Leg): void {
    this.legs.push(leg);
  }

  /** Registers a timer cancelled when the call ends. */
  hold(cancel: CancelTimer): CancelTimer {
    this.timers.add(cancel);
    return () => {
      this.timers.delete(cancel);
      cancel();
    };
  }

  clearTimers(): void {
    for (const t of this.timers) t();
    this.timers.clear();
  }
}
