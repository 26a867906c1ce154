// Sample call records for tests (contract tests, CLI and HTTP tests). Fixed times, so
// expected values in tests are exact.
import type { ActiveCallRecord, CdrLegRecord, CdrRecord, ExtensionSettingsRecord, MissedCallRecord } from "../store.js";

export const T0 = 1_700_000_000_000;

export function sampleLeg(legId: string, overrides: Partial<CdrLegRecord> = {}): CdrLegRecord {
  return {
    legId,
    role: "outbound",
    party: "1002",
    contact: "sip:1002@192.0.2.20:5062;transport=udp",
    trunk: null,
    startedAt: T0 + 100,
    answeredAt: T0 + 4_000,
    endedAt: T0 + 64_000,
    sipStatus: 200,
    cause: 16,
    codec: "PCMA",
    packetsIn: 3000,
    packetsOut: 2999,
    packetsLost: 1,
    jitterMs: 2.5,
    ...overrides,
  };
}

/** An answered internal call 1001 → 1002 starting at T0 + offsetMs, with two legs. */
export function sampleCdr(callId: string, offsetMs = 0, overrides: Partial<CdrRecord> = {}): CdrRecord {
  const start = T0 + offsetMs;
  return {
    callId,
    sipCallId: `sip-${callId}@192.0.2.10`,
    nodeId: "node1",
    direction: "internal",
    caller: "1001",
    callerName: "Desk 1",
    dialed: "1002",
    answeredBy: "1002",
    trunk: null,
    startedAt: start,
    answeredAt: start + 4_000,
    endedAt: start + 64_000,
    talkMs: 60_000,
    disposition: "answered",
    cause: 16,
    sipStatus: 200,
    hangupBy: "caller",
    priority: 0,
    priorityLabel: null,
    legs: [
      sampleLeg(`${callId}-a`, { role: "inbound", party: "1001", contact: "sip:1001@192.0.2.10:5060", startedAt: start, answeredAt: start + 4_000, endedAt: start + 64_000 }),
      sampleLeg(`${callId}-b`, { startedAt: start + 100, answeredAt: start + 4_000, endedAt: start + 64_000 }),
    ],
    ...overrides,
  };
}

export function sampleActiveCall(callId: string, overrides: Partial<ActiveCallRecord> = {}): ActiveCallRecord {
  return {
    callId,
    nodeId: "node1",
    sipCallId: `sip-${callId}@192.0.2.10`,
    caller: "1001",
    dialed: "1002",
    direction: "internal",
    startedAt: T0,
    answeredAt: null,
    answeredBy: null,
    ...overrides,
  };
}

export function sampleMissedCall(callId: string, overrides: Partial<Omit<MissedCallRecord, "id" | "handledAt" | "handledBy">> = {}): Omit<MissedCallRecord, "id" | "handledAt" | "handledBy"> {
  return {
    callId,
    caller: "+4930123456",
    callerName: null,
    dialed: "800",
    at: T0,
    reason: "no-answer",
    priority: 0,
    ...overrides,
  };
}

export function sampleSettings(extension: string, overrides: Partial<ExtensionSettingsRecord> = {}): ExtensionSettingsRecord {
  return {
    extension,
    dnd: null,
    callWaiting: null,
    forwardAlways: null,
    forwardBusy: null,
    forwardNoAnswer: null,
    updatedAt: T0,
    ...overrides,
  };
}
