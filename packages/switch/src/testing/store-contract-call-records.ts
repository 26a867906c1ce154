// The call-record part of the Store contract (CDRs, journal, missed calls, active calls,
// extension settings, start-up recovery). Registered by storeContract().
import assert from "node:assert/strict";
import type { Store } from "../store.js";
import { recoverInterruptedCalls } from "../cdr/recover-interrupted-calls.js";
import { T0, sampleActiveCall, sampleCdr, sampleLeg, sampleMissedCall, sampleSettings } from "./call-record-samples.js";

type WithStore = (title: string, body: (store: Store) => Promise<void>) => void;

const ids = (list: readonly { callId: string }[]): string[] => list.map((c) => c.callId);

export function callRecordsContract(withStore: WithStore): void {
  withStore("cdrs: write and get round-trip every field and the legs in order", async (store) => {
    assert.equal(await store.cdrs.get("c1"), null);
    const cdr = sampleCdr("c1", 0, {
      direction: "inbound",
      trunk: "carrier-a",
      callerName: null,
      priority: 9,
      priorityLabel: "emergency",
      legs: [sampleLeg("z-first", { trunk: "carrier-a", codec: null, sipStatus: null, answeredAt: null, jitterMs: 0.125 }), sampleLeg("a-second")],
    });
    await store.cdrs.write(cdr);
    assert.deepEqual(await store.cdrs.get("c1"), cdr);
    const noLegs = sampleCdr("c2", 10, { legs: [], answeredBy: null, answeredAt: null, talkMs: 0, disposition: "cancelled", cause: 487, sipStatus: 487, hangupBy: null });
    await store.cdrs.write(noLegs);
    assert.deepEqual(await store.cdrs.get("c2"), noLegs);
  });

  withStore("cdrs: write is idempotent on callId (the first CDR stays, legs are not doubled)", async (store) => {
    await store.cdrs.write(sampleCdr("c1"));
    await store.cdrs.write(sampleCdr("c1", 0, { disposition: "failed", legs: [sampleLeg("other")] }));
    assert.deepEqual(await store.cdrs.get("c1"), sampleCdr("c1"));
    assert.equal((await store.cdrs.list({})).length, 1);
  });

  withStore("cdrs: write removes the active-call row of the same call, and only that one", async (store) => {
    await store.activeCalls.put(sampleActiveCall("c1"));
    await store.activeCalls.put(sampleActiveCall("c2"));
    await store.cdrs.write(sampleCdr("c1"));
    assert.deepEqual(ids(await store.activeCalls.listForNode("node1")), ["c2"]);
    // Also when the CDR already existed (a repeated write after a crash).
    await store.activeCalls.put(sampleActiveCall("c1"));
    await store.cdrs.write(sampleCdr("c1"));
    assert.deepEqual(ids(await store.activeCalls.listForNode("node1")), ["c2"]);
  });

  withStore("cdrs: list is newest first (startedAt, then callId) and filters by time, party, disposition", async (store) => {
    await store.cdrs.write(sampleCdr("a", 1000));
    await store.cdrs.write(sampleCdr("b", 3000, { caller: "2001", dialed: "800", answeredBy: "1005", disposition: "answered" }));
    await store.cdrs.write(sampleCdr("c", 2000, { caller: "1005", dialed: "1003", answeredBy: null, disposition: "no-answer" }));
    await store.cdrs.write(sampleCdr("d", 2000, { caller: "1004", dialed: "1005", answeredBy: null, disposition: "busy" }));
    assert.deepEqual(ids(await store.cdrs.list({})), ["b", "d", "c", "a"]);
    assert.deepEqual(ids(await store.cdrs.list({ from: T0 + 2000 })), ["b", "d", "c"], "from is inclusive");
    assert.deepEqual(ids(await store.cdrs.list({ to: T0 + 2000 })), ["a"], "to is exclusive");
    assert.deepEqual(ids(await store.cdrs.list({ from: T0 + 1500, to: T0 + 2500 })), ["d", "c"]);
    assert.deepEqual(ids(await store.cdrs.list({ party: "1005" })), ["b", "d", "c"], "answeredBy, dialed, caller");
    assert.deepEqual(ids(await store.cdrs.list({ party: "1005", disposition: "busy" })), ["d"]);
    assert.deepEqual(ids(await store.cdrs.list({ party: "100" })), [], "party matches exactly");
    assert.deepEqual(ids(await store.cdrs.list({ limit: 2 })), ["b", "d"]);
    assert.deepEqual((await store.cdrs.list({ limit: 1 }))[0], sampleCdr("b", 3000, { caller: "2001", dialed: "800", answeredBy: "1005" }), "listed CDRs carry their legs");
  });

  withStore("cdrs: the before cursor pages through the list without gaps or repeats", async (store) => {
    for (const [id, at] of [["p1", 10], ["p2", 20], ["p3", 20], ["p4", 30], ["p5", 40]] as const) await store.cdrs.write(sampleCdr(id, at));
    const seen: string[] = [];
    let before: string | undefined;
    for (let page = 0; page < 5; page++) {
      const got = ids(await store.cdrs.list({ limit: 2, ...(before === undefined ? {} : { before }) }));
      seen.push(...got);
      before = got.at(-1);
      if (got.length < 2) break;
    }
    assert.deepEqual(seen, ["p5", "p4", "p3", "p2", "p1"]);
    assert.deepEqual(ids(await store.cdrs.list({ before: "p3", party: "1001" })), ["p2", "p1"]);
    assert.deepEqual(await store.cdrs.list({ before: "unknown" }), []);
  });

  withStore("cdrs: limit defaults to 100 and is clamped to 1..1000", async (store) => {
    await Promise.all(Array.from({ length: 1001 }, (_, i) => store.cdrs.write(sampleCdr(`n${String(i).padStart(4, "0")}`, i, { legs: [] }))));
    assert.equal((await store.cdrs.list({})).length, 100);
    assert.equal((await store.cdrs.list({ limit: 5000 })).length, 1000);
    assert.deepEqual(ids(await store.cdrs.list({ limit: 0 })), ["n1000"]);
  });

  withStore("journal: append assigns seq 1, 2, …; list filters by afterSeq and callId; data is JSON", async (store) => {
    assert.deepEqual(await store.journal.list({}), []);
    await store.journal.append([
      { at: T0, type: "call.started", callId: "c1", data: { caller: "1001", nested: { n: 1, list: [1, "x", null] } } },
      { at: T0 + 1, type: "agent.state", callId: null, data: { agent: "a1", dropped: undefined } },
    ]);
    await store.journal.append([]);
    await store.journal.append([{ at: T0 + 2, type: "call.ended", callId: "c1", data: {} }]);
    const all = await store.journal.list({});
    assert.deepEqual(all, [
      { seq: 1, at: T0, type: "call.started", callId: "c1", data: { caller: "1001", nested: { n: 1, list: [1, "x", null] } } },
      { seq: 2, at: T0 + 1, type: "agent.state", callId: null, data: { agent: "a1" } },
      { seq: 3, at: T0 + 2, type: "call.ended", callId: "c1", data: {} },
    ]);
    assert.deepEqual((await store.journal.list({ afterSeq: 1 })).map((e) => e.seq), [2, 3]);
    assert.deepEqual((await store.journal.list({ callId: "c1" })).map((e) => e.seq), [1, 3]);
    assert.deepEqual((await store.journal.list({ callId: "c1", afterSeq: 1 })).map((e) => e.seq), [3]);
    assert.deepEqual((await store.journal.list({ limit: 2 })).map((e) => e.seq), [1, 2]);
    assert.deepEqual((await store.journal.list({ type: "agent.state" })).map((e) => e.seq), [2]);
    assert.deepEqual((await store.journal.list({ type: "call.ended", callId: "c1" })).map((e) => e.seq), [3]);
  });

  withStore("journal: newestFirst lists seq descending; beforeSeq pages back from the end", async (store) => {
    await store.journal.append(Array.from({ length: 6 }, (_, i) => ({ at: T0 + i, type: i % 2 === 0 ? "supervisor.action" : "call.started", callId: i < 3 ? "c1" : null, data: { i } })));
    assert.deepEqual((await store.journal.list({ newestFirst: true, limit: 2 })).map((e) => e.seq), [6, 5]);
    assert.deepEqual((await store.journal.list({ newestFirst: true, beforeSeq: 5, limit: 2 })).map((e) => e.seq), [4, 3]);
    assert.deepEqual((await store.journal.list({ newestFirst: true, type: "supervisor.action" })).map((e) => e.seq), [5, 3, 1]);
    assert.deepEqual((await store.journal.list({ newestFirst: true, type: "supervisor.action", beforeSeq: 5 })).map((e) => e.seq), [3, 1]);
    assert.deepEqual((await store.journal.list({ newestFirst: true, callId: "c1", beforeSeq: 3 })).map((e) => e.seq), [2, 1]);
    assert.deepEqual((await store.journal.list({ newestFirst: true, afterSeq: 2, beforeSeq: 6 })).map((e) => e.seq), [5, 4, 3]);
    // beforeSeq without newestFirst: oldest first within the range.
    assert.deepEqual((await store.journal.list({ beforeSeq: 3 })).map((e) => e.seq), [1, 2]);
    assert.deepEqual((await store.journal.list({ newestFirst: true, beforeSeq: 1 })).map((e) => e.seq), []);
  });

  withStore("journal: an append with a value JSON cannot hold stores none of its events", async (store) => {
    const bad = [
      { at: T0, type: "x.ok", callId: null, data: {} },
      { at: T0, type: "x.bad", callId: null, data: { n: 10n } },
    ];
    await assert.rejects(store.journal.append(bad));
    assert.deepEqual(await store.journal.list({}), []);
  });

  withStore("missed calls: add returns ids, list newest first or pending only, first markHandled wins", async (store) => {
    const first = await store.missedCalls.add(sampleMissedCall("m1", { at: T0 + 10 }));
    const second = await store.missedCalls.add(sampleMissedCall("m2", { at: T0 + 30, reason: "abandoned", callerName: "ACME", priority: 5 }));
    const third = await store.missedCalls.add(sampleMissedCall("m3", { at: T0 + 20, reason: "busy" }));
    assert.deepEqual([first, second, third], [1, 2, 3]);
    assert.deepEqual((await store.missedCalls.list({})).map((m) => m.id), [2, 3, 1]);
    assert.equal(await store.missedCalls.markHandled(third, "agent-7", T0 + 99), true);
    assert.equal(await store.missedCalls.markHandled(third, "agent-8", T0 + 100), false, "already handled");
    assert.equal(await store.missedCalls.markHandled(42, "agent-8", T0 + 100), false, "no such id");
    assert.deepEqual((await store.missedCalls.list({ pending: true })).map((m) => m.id), [2, 1]);
    assert.deepEqual((await store.missedCalls.list({ pending: false })).map((m) => m.id), [2, 3, 1]);
    const all = await store.missedCalls.list({ limit: 2 });
    assert.deepEqual(all, [
      { id: 2, ...sampleMissedCall("m2", { at: T0 + 30, reason: "abandoned", callerName: "ACME", priority: 5 }), handledAt: null, handledBy: null },
      { id: 3, ...sampleMissedCall("m3", { at: T0 + 20, reason: "busy" }), handledAt: T0 + 99, handledBy: "agent-7" },
    ]);
  });

  withStore("active calls: put replaces, update patches, remove, listForNode filters and orders", async (store) => {
    await store.activeCalls.put(sampleActiveCall("c2", { startedAt: T0 + 5 }));
    await store.activeCalls.put(sampleActiveCall("c1", { startedAt: T0 + 5 }));
    await store.activeCalls.put(sampleActiveCall("c0", { startedAt: T0 + 9 }));
    await store.activeCalls.put(sampleActiveCall("other", { nodeId: "node2" }));
    assert.deepEqual(ids(await store.activeCalls.listForNode("node1")), ["c1", "c2", "c0"]);
    await store.activeCalls.update("c1", { answeredAt: T0 + 7 });
    await store.activeCalls.update("c1", { answeredBy: "1002" });
    await store.activeCalls.update("gone", { answeredAt: T0 });
    await store.activeCalls.put(sampleActiveCall("c2", { startedAt: T0 + 5, dialed: "1003", direction: "outbound" }));
    const [c1, c2] = await store.activeCalls.listForNode("node1");
    assert.deepEqual(c1, sampleActiveCall("c1", { startedAt: T0 + 5, answeredAt: T0 + 7, answeredBy: "1002" }));
    assert.deepEqual(c2, sampleActiveCall("c2", { startedAt: T0 + 5, dialed: "1003", direction: "outbound" }));
    await store.activeCalls.remove("c1");
    await store.activeCalls.remove("c1");
    assert.deepEqual(ids(await store.activeCalls.listForNode("node1")), ["c2", "c0"]);
    assert.deepEqual(await store.activeCalls.listForNode("node2"), [sampleActiveCall("other", { nodeId: "node2" })]);
    assert.deepEqual(await store.activeCalls.listForNode("node3"), []);
  });

  withStore("extension settings: get, put replaces, list by extension; null, \"\" and booleans kept", async (store) => {
    assert.equal(await store.extensionSettings.get("1001"), null);
    await store.extensionSettings.put(sampleSettings("1002", { dnd: true, callWaiting: false, forwardNoAnswer: "+4930123456" }));
    await store.extensionSettings.put(sampleSettings("1001", { forwardAlways: "1003", forwardBusy: "" }));
    assert.deepEqual(await store.extensionSettings.get("1002"), sampleSettings("1002", { dnd: true, callWaiting: false, forwardNoAnswer: "+4930123456" }));
    await store.extensionSettings.put(sampleSettings("1002", { dnd: false, updatedAt: T0 + 1 }));
    assert.deepEqual(await store.extensionSettings.list(), [
      sampleSettings("1001", { forwardAlways: "1003", forwardBusy: "" }),
      sampleSettings("1002", { dnd: false, updatedAt: T0 + 1 }),
    ]);
  });

  withStore("agent status: put replaces, list by agent, reason kept", async (store) => {
    assert.deepEqual(await store.agentStatus.list(), []);
    await store.agentStatus.put({ agent: "1002", status: "on-break", reason: "no-answer", updatedAt: T0 });
    await store.agentStatus.put({ agent: "1001", status: "available", reason: null, updatedAt: T0 + 1 });
    await store.agentStatus.put({ agent: "1002", status: "logged-out", reason: null, updatedAt: T0 + 2 });
    assert.deepEqual(await store.agentStatus.list(), [
      { agent: "1001", status: "available", reason: null, updatedAt: T0 + 1 },
      { agent: "1002", status: "logged-out", reason: null, updatedAt: T0 + 2 },
    ]);
  });

  withStore("queue callbacks: put replaces by call id, list by join time, remove", async (store) => {
    assert.deepEqual(await store.queueCallbacks.list(), []);
    const cb = (callId: string, joinedAt: number, attempts = 0) => ({ callId, queue: "7000", number: "2009", priority: 1, joinedAt, attempts, notBefore: 0 });
    await store.queueCallbacks.put(cb("b", T0 + 5));
    await store.queueCallbacks.put(cb("a", T0 + 9));
    await store.queueCallbacks.put(cb("b", T0 + 5, 2));
    assert.deepEqual(await store.queueCallbacks.list(), [cb("b", T0 + 5, 2), cb("a", T0 + 9)]);
    await store.queueCallbacks.remove("b");
    await store.queueCallbacks.remove("nope");
    assert.deepEqual(await store.queueCallbacks.list(), [cb("a", T0 + 9)]);
    // An outside caller's trunk is kept (its callback is dialled back through it).
    await store.queueCallbacks.put({ ...cb("t", T0 + 20), number: "01012345678", trunk: "carrier-a" });
    assert.deepEqual((await store.queueCallbacks.list()).find((r) => r.callId === "t"), { ...cb("t", T0 + 20), number: "01012345678", trunk: "carrier-a" });
  });

  withStore("recoverInterruptedCalls closes this node's active calls as interrupted CDRs", async (store) => {
    await store.activeCalls.put(sampleActiveCall("ringing", { startedAt: T0 }));
    await store.activeCalls.put(sampleActiveCall("talking", { startedAt: T0 + 1000, answeredAt: T0 + 3000, answeredBy: "1002", direction: "inbound" }));
    await store.activeCalls.put(sampleActiveCall("elsewhere", { nodeId: "node2" }));
    const now = T0 + 60_000;
    assert.equal(await recoverInterruptedCalls(store, "node1", now), 2);
    assert.deepEqual(await store.cdrs.get("talking"), {
      callId: "talking",
      sipCallId: "sip-talking@192.0.2.10",
      nodeId: "node1",
      direction: "inbound",
      caller: "1001",
      callerName: null,
      dialed: "1002",
      answeredBy: "1002",
      trunk: null,
      startedAt: T0 + 1000,
      answeredAt: T0 + 3000,
      endedAt: now,
      talkMs: 57_000,
      disposition: "interrupted",
      cause: 41,
      sipStatus: null,
      hangupBy: "system",
      priority: 0,
      priorityLabel: null,
      legs: [],
    });
    const ringing = await store.cdrs.get("ringing");
    assert.deepEqual([ringing?.disposition, ringing?.answeredAt, ringing?.talkMs, ringing?.endedAt], ["interrupted", null, 0, now]);
    assert.deepEqual(await store.activeCalls.listForNode("node1"), []);
    assert.deepEqual(ids(await store.activeCalls.listForNode("node2")), ["elsewhere"]);
    const events = await store.journal.list({});
    assert.deepEqual(
      events.map((e) => [e.type, e.callId, e.at, e.data["endedAtIsRecoveryTime"]]),
      [["call.interrupted", "ringing", now, true], ["call.interrupted", "talking", now, true]],
    );
    assert.equal(await recoverInterruptedCalls(store, "node1", now + 1), 0, "a second run finds nothing");
    assert.equal((await store.journal.list({})).length, 2);
  });

  withStore("call records handed in or out are copies", async (store) => {
    const cdr = sampleCdr("c1");
    await store.cdrs.write(cdr);
    (cdr.legs[0] as { packetsIn: number }).packetsIn = -1;
    cdr.caller = "changed";
    const got = await store.cdrs.get("c1");
    assert.deepEqual(got, sampleCdr("c1"));
    if (got) got.legs.length = 0;
    assert.equal((await store.cdrs.get("c1"))?.legs.length, 2);
    const data = { n: 1 };
    await store.journal.append([{ at: T0, type: "x", callId: null, data }]);
    data.n = 2;
    assert.deepEqual((await store.journal.list({}))[0]?.data, { n: 1 });
    const active = sampleActiveCall("a1");
    await store.activeCalls.put(active);
    active.caller = "changed";
    assert.equal((await store.activeCalls.listForNode("node1"))[0]?.caller, "1001");
  });
}

/** Every call-record method of a closed store rejects. */
export async function assertCallRecordsClosed(store: Store): Promise<void> {
  await assert.rejects(store.cdrs.write(sampleCdr("c1")));
  await assert.rejects(store.cdrs.get("c1"));
  await assert.rejects(store.cdrs.list({}));
  await assert.rejects(store.journal.append([]));
  await assert.rejects(store.journal.list({}));
  await assert.rejects(store.missedCalls.add(sampleMissedCall("m1")));
  await assert.rejects(store.missedCalls.list({}));
  await assert.rejects(store.missedCalls.markHandled(1, "x", T0));
  await assert.rejects(store.activeCalls.put(sampleActiveCall("a1")));
  await assert.rejects(store.activeCalls.update("a1", {}));
  await assert.rejects(store.activeCalls.remove("a1"));
  await assert.rejects(store.activeCalls.listForNode("node1"));
  await assert.rejects(store.extensionSettings.get("1001"));
  await assert.rejects(store.extensionSettings.list());
  await assert.rejects(store.extensionSettings.put(sampleSettings("1001")));
}
