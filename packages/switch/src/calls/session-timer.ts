/**
 * Session timers (RFC 4028) per leg: a session that is not refreshed within its interval
 * is dead (a phone lost power mid-call) and is torn down, so it does not hold media ports
 * and an agent's "in call" state forever.
 * - Negotiation on the caller's leg (we are UAS, §9): a Session-Expires below our Min-SE is
 *   refused with 422 (§8.1); otherwise our 2xx carries Session-Expires with the refresher —
 *   the caller's choice, else the caller if it supports "timer", else us (§9) — and
 *   Require: timer when the caller supports it.
 * - On callee legs (we are UAC, §7): the INVITE offers Session-Expires with refresher=uas;
 *   the 2xx says what was agreed (§7.2); no Session-Expires in the 2xx → no timer.
 * - The refresher refreshes at half the interval (§10) — we do it with UPDATE without a
 *   body (RFC 3311); the other side expects a refresh and ends the session when none came
 *   by interval − min(32, interval/3) seconds (§10).
 */
import { getHeader, getHeaderFields, headerField, type HeaderField, type SipMessage } from "@hotline/sip";
import type { Leg } from "./leg.js";
import type { CancelTimer, Scheduler } from "./ports.js";

export interface SessionExpires {
  seconds: number;
  refresher: "uac" | "uas" | null;
}

/** Parses Session-Expires (compact form "x" is expanded by the parser) — null when absent or bad. */
export function parseSessionExpires(msg: SipMessage): SessionExpires | null {
  const v = getHeader(msg, "session-expires");
  if (v === undefined) return null;
  const m = /^\s*(\d+)\s*(?:;(.*))?$/.exec(v);
  if (m === null) return null;
  const r = /refresher\s*=\s*(uac|uas)/i.exec(m[2] ?? "")?.[1]?.toLowerCase();
  return { seconds: Number(m[1]), refresher: r === "uac" || r === "uas" ? r : null };
}

export function supportsTimer(msg: SipMessage): boolean {
  return getHeaderFields(msg, "supported").some((v) => /(^|,)\s*timer\s*(,|$)/i.test(v)) || getHeaderFields(msg, "require").some((v) => /(^|,)\s*timer\s*(,|$)/i.test(v));
}

export function allowsUpdate(msg: SipMessage): boolean {
  return getHeaderFields(msg, "allow").some((v) => /(^|,)\s*UPDATE\s*(,|$)/i.test(v));
}

/**
 * What we answer to the caller's INVITE: a 422 (with our Min-SE) or the headers for our 2xx
 * and who refreshes. `null` headers: no session timer on this leg.
 */
export function negotiateAsUas(invite: SipMessage, ours: { sessionExpires: number; minSE: number }): { reject422: HeaderField[] } | { headers: HeaderField[]; refresher: "us" | "them" | null; seconds: number } {
  const se = parseSessionExpires(invite);
  const timer = supportsTimer(invite);
  if (se !== null && se.seconds < ours.minSE) return { reject422: [headerField("Min-SE", String(ours.minSE))] };
  if (se === null && !timer) return { headers: [], refresher: null, seconds: 0 };
  const seconds = se?.seconds ?? ours.sessionExpires;
  // §9: honour the caller's choice; else the caller refreshes if it supports timers.
  const refresher = se?.refresher ?? (timer ? "uac" : "uas");
  if (refresher === "uas" && !allowsUpdate(invite)) {
    // We refresh with UPDATE only; a caller that can't take UPDATE keeps an untimed session.
    return { headers: [], refresher: null, seconds: 0 };
  }
  const headers = [headerField("Session-Expires", `${seconds};refresher=${refresher}`)];
  if (timer) headers.push(headerField("Require", "timer"));
  return { headers, refresher: refresher === "uas" ? "us" : "them", seconds };
}

/** The agreement read from a callee's 2xx to our INVITE (we were UAC). */
export function negotiatedAsUac(response: SipMessage): { refresher: "us" | "them"; seconds: number } | null {
  const se = parseSessionExpires(response);
  if (se === null || se.seconds <= 0) return null;
  return { refresher: se.refresher === "uac" ? "us" : "them", seconds: se.seconds };
}

/** Runs one leg's timer: refreshes (when we are the refresher) or watches for refreshes. */
export class SessionTimer {
  private timer: CancelTimer | null = null;

  constructor(
    private readonly leg: Leg,
    private readonly role: "us" | "them",
    private readonly seconds: number,
    private readonly scheduler: Scheduler,
    /** Called when the session expired or a refresh failed (481/408): end the call. */
    private readonly onExpired: (why: string) => void,
  ) {}

  start(): void {
    this.arm();
  }

  /** A re-INVITE or UPDATE arrived on the leg: the session was refreshed (§10). */
  refreshed(): void {
    if (this.role === "them") this.arm();
  }

  stop(): void {
    this.timer?.();
    this.timer = null;
  }

  private arm(): void {
    this.stop();
    if (this.role === "us") {
      this.timer = this.scheduler.after((this.seconds * 1000) / 2, () => this.refresh());
      return;
    }
    const grace = Math.min(32, this.seconds / 3);
    this.timer = this.scheduler.after((this.seconds - grace) * 1000, () => this.onExpired("session timer expired"));
  }

  private refresh(): void {
    if (this.leg.ended) return;
    this.leg.sendInDialog(
      "UPDATE",
      {
        onResponse: (r) => {
          if (r.status < 200) return;
          // §10: 481/408 (or no answer at all) means the session is gone.
          if (r.status === 481 || r.status === 408) this.onExpired(`refresh answered ${r.status}`);
        },
        onFailure: () => this.onExpired("refresh timed out"),
      },
      { headers: [headerField("Session-Expires", `${this.seconds};refresher=${this.leg.role === "inbound" ? "uas" : "uac"}`)] },
    );
    this.arm();
  }
}
