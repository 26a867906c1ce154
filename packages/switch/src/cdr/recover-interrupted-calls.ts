// Start-up recovery: active-call rows that survive a restart belong to calls the previous
// process was carrying when it died (a clean shutdown ends its calls and writes their CDRs,
// which removes the rows). Each becomes an "interrupted" CDR so reports do not show calls
// that never end, and the console does not show stale calls.
import type { Store } from "../store.js";
import { Q850_TEMPORARY_FAILURE, type ActiveCallRecord, type CdrRecord, type JournalEvent } from "./call-records.js";

/**
 * The CDR for a call the process died in. When the process died is not known (the store is
 * written at call start and answer, not continuously), so endedAt is the recovery time `now`:
 * an upper bound, and so is talkMs for answered calls. The disposition "interrupted" is the
 * mark that says so; the journal event carries `endedAtIsRecoveryTime: true` as well.
 * endedAt is never before startedAt/answeredAt, even if the clock was stepped back.
 */
export function interruptedCdr(call: ActiveCallRecord, now: number): CdrRecord {
  const endedAt = Math.max(now, call.answeredAt ?? call.startedAt, call.startedAt);
  return {
    callId: call.callId,
    sipCallId: call.sipCallId,
    nodeId: call.nodeId,
    direction: call.direction,
    caller: call.caller,
    callerName: null,
    dialed: call.dialed,
    answeredBy: call.answeredBy,
    trunk: null,
    startedAt: call.startedAt,
    answeredAt: call.answeredAt,
    endedAt,
    talkMs: call.answeredAt === null ? 0 : endedAt - call.answeredAt,
    disposition: "interrupted",
    cause: Q850_TEMPORARY_FAILURE,
    sipStatus: null,
    hangupBy: "system",
    priority: 0,
    priorityLabel: null,
    // Leg details lived only in the dead process's memory.
    legs: [],
  };
}

function interruptedEvent(call: ActiveCallRecord, cdr: CdrRecord): JournalEvent {
  return {
    at: cdr.endedAt,
    type: "call.interrupted",
    callId: call.callId,
    data: {
      nodeId: call.nodeId,
      sipCallId: call.sipCallId,
      startedAt: call.startedAt,
      answeredAt: call.answeredAt,
      endedAtIsRecoveryTime: true,
    },
  };
}

/**
 * Closes every active call of `nodeId` left by a crash: writes an "interrupted" CDR (which
 * removes the active-call row in the same transaction, see CdrStore.write) and appends a
 * `call.interrupted` journal event. Call it once at start-up, before the node takes calls:
 * a call that is genuinely active must not be in the store under this node's id yet.
 * Returns how many calls were closed.
 *
 * A crash during recovery is safe to repeat: a call whose CDR was written no longer has an
 * active row, and CdrStore.write is idempotent on callId. The journal event is written after
 * its CDR, so a crash in between loses that event but never duplicates it.
 */
export async function recoverInterruptedCalls(store: Pick<Store, "activeCalls" | "cdrs" | "journal">, nodeId: string, now: number): Promise<number> {
  const calls = await store.activeCalls.listForNode(nodeId);
  if (calls.length === 0) return 0;
  const cdrs = calls.map((call) => interruptedCdr(call, now));
  // Issued together, so a group-committing store writes all of them in one transaction.
  await Promise.all(cdrs.map((cdr) => store.cdrs.write(cdr)));
  await store.journal.append(calls.map((call, i) => interruptedEvent(call, cdrs[i] as CdrRecord)));
  return calls.length;
}
