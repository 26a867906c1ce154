/**
 * The durable record of calls: the active-call row (so a crash leaves no stale call: the
 * next start closes it as "interrupted"), journal events, the CDR with its legs, and the
 * missed-call list. Writes are queued and never block call control; a failed write is
 * logged and counted, never thrown into the SIP path.
 */
import type { CallDisposition, CdrLegRecord, CdrRecord, JournalEvent, Store } from "../store.js";
import type { Metrics } from "../metrics.js";
import type { Call } from "./call.js";
import type { MediaStats } from "./ports.js";

export interface CallRecorder {
  started(call: Call): void;
  event(call: Call, type: string, data: Record<string, unknown>): void;
  /** A journal event that belongs to no call (agent status/state, queue figures). */
  note(type: string, data: Record<string, unknown>): void;
  answered(call: Call): void;
  /** Writes the CDR (and the missed call); resolves when durable. */
  ended(call: Call, stats: readonly (MediaStats | null)[], now: number): Promise<void>;
}

export class StoreCallRecorder implements CallRecorder {
  private journalBuffer: JournalEvent[] = [];
  private flushing: Promise<void> | null = null;

  constructor(
    private readonly store: Store,
    private readonly nodeId: string,
    private readonly metrics: Metrics,
    private readonly now: () => number,
    private readonly log: { error(o: object, m: string): void; info(o: object, m: string): void },
  ) {}

  started(call: Call): void {
    this.guard(
      this.store.activeCalls.put({ callId: call.id, nodeId: this.nodeId, sipCallId: call.sipCallId, caller: call.caller, dialed: call.dialed, direction: call.direction, startedAt: call.startedAt, answeredAt: null, answeredBy: null }),
      "active call write",
    );
    this.event(call, "call.started", { caller: call.caller, dialed: call.dialed, direction: call.direction, trunk: call.trunk });
  }

  event(call: Call, type: string, data: Record<string, unknown>): void {
    this.push(type, call.id, data);
  }

  note(type: string, data: Record<string, unknown>): void {
    this.push(type, null, data);
  }

  private push(type: string, callId: string | null, data: Record<string, unknown>): void {
    this.journalBuffer.push({ at: this.now(), type, callId, data });
    // One append per burst of events (a call emits several in the same tick).
    this.flushing ??= Promise.resolve().then(() => this.flush());
  }

  answered(call: Call): void {
    this.guard(this.store.activeCalls.update(call.id, { answeredAt: call.answeredAt ?? this.now(), answeredBy: call.answeredBy ?? "" }), "active call update");
    this.event(call, "call.answered", { answeredBy: call.answeredBy });
  }

  async ended(call: Call, stats: readonly (MediaStats | null)[], now: number): Promise<void> {
    const cdr = toCdr(call, stats, this.nodeId, now);
    this.event(call, "call.ended", { disposition: cdr.disposition, cause: cdr.cause, talkMs: cdr.talkMs, hangupBy: cdr.hangupBy });
    try {
      // CdrStore.write also removes the active-call row in the same transaction.
      await this.store.cdrs.write(cdr);
      this.metrics.inc("cdr_written_total", { disposition: cdr.disposition });
      const missed = call.refusedBy === null ? missedReason(cdr) : null;
      if (missed !== null) {
        await this.store.missedCalls.add({ callId: cdr.callId, caller: cdr.caller, callerName: cdr.callerName, dialed: cdr.dialed, at: cdr.startedAt, reason: missed, priority: cdr.priority });
      }
      this.log.info({ callId: cdr.callId, caller: cdr.caller, dialed: cdr.dialed, disposition: cdr.disposition, talkMs: cdr.talkMs, cause: cdr.cause }, "call ended");
    } catch (err) {
      this.metrics.inc("store_write_errors_total", { what: "cdr" });
      this.log.error({ err, callId: call.id }, "CDR write failed");
    }
  }

  /** Waits for queued journal writes (tests, shutdown). */
  async drain(): Promise<void> {
    while (this.flushing !== null) await this.flushing;
  }

  private async flush(): Promise<void> {
    const batch = this.journalBuffer;
    this.journalBuffer = [];
    try {
      if (batch.length > 0) await this.store.journal.append(batch);
    } catch (err) {
      this.metrics.inc("store_write_errors_total", { what: "journal" });
      this.log.error({ err, events: batch.length }, "journal write failed");
    } finally {
      this.flushing = this.journalBuffer.length > 0 ? Promise.resolve().then(() => this.flush()) : null;
    }
  }

  private guard(p: Promise<unknown>, what: string): void {
    p.catch((err: unknown) => {
      this.metrics.inc("store_write_errors_total", { what });
      this.log.error({ err }, `${what} failed`);
    });
  }
}

export function dispositionOf(call: Call): CallDisposition {
  if (call.answeredAt !== null) return "answered";
  const s = call.failureStatus;
  if (s === 487 || (s === null && call.hangupBy === "caller")) return "cancelled";
  if (s === 486 || s === 600) return "busy";
  if (s === 480 || s === 408) return "no-answer";
  if (s !== null && (s === 403 || s === 404 || s === 603 || s === 484 || s === 488)) return "rejected";
  return "failed";
}

function missedReason(cdr: CdrRecord): "no-answer" | "abandoned" | "busy" | null {
  // Missed calls are those a person should call back: unanswered inbound/internal calls
  // to a person or group, not refusals by policy (blacklist, class of service).
  if (cdr.direction === "outbound") return null;
  if (cdr.disposition === "cancelled") return "abandoned";
  if (cdr.disposition === "no-answer") return "no-answer";
  if (cdr.disposition === "busy") return "busy";
  return null;
}

export function toCdr(call: Call, stats: readonly (MediaStats | null)[], nodeId: string, now: number): CdrRecord {
  const legs: CdrLegRecord[] = call.legs.map((leg, i) => {
    const st = stats[i] ?? null;
    return {
      legId: leg.id,
      role: leg.role,
      party: leg.party,
      contact: leg.dialog?.remoteTarget ?? null,
      trunk: leg.trunk,
      startedAt: leg.facts.startedAt,
      answeredAt: leg.facts.answeredAt,
      endedAt: leg.facts.endedAt ?? now,
      sipStatus: leg.facts.sipStatus,
      cause: leg.facts.cause,
      codec: leg.mediaConfig?.codec ?? null,
      packetsIn: st?.packetsIn ?? 0,
      packetsOut: st?.packetsOut ?? 0,
      packetsLost: st?.lost ?? 0,
      jitterMs: st?.jitterMs ?? 0,
    };
  });
  return {
    callId: call.id,
    sipCallId: call.sipCallId,
    nodeId,
    direction: call.direction,
    caller: call.caller,
    callerName: call.callerName,
    dialed: call.dialed,
    answeredBy: call.answeredBy,
    trunk: call.trunk,
    startedAt: call.startedAt,
    answeredAt: call.answeredAt,
    endedAt: now,
    talkMs: call.answeredAt === null ? 0 : Math.max(0, now - call.answeredAt),
    disposition: dispositionOf(call),
    cause: call.cause,
    sipStatus: call.answeredAt !== null ? 200 : call.failureStatus,
    hangupBy: call.hangupBy,
    priority: call.priority.level,
    priorityLabel: call.priority.label,
    legs,
  };
}
