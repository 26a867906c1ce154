// bench/acd-calls analysis: agent-free -> next offer pairing, on fixed journal and SIPp log lines.
import { test } from "node:test";
import assert from "node:assert/strict";
import { answeredRate, backlogOffers, freeToOffer, parseAgentLog, quantile, type JournalEvent } from "./analysis.ts";

let seq = 0;
const ev = (at: number, type: string, data: Record<string, unknown>, callId: string | null = "c"): JournalEvent => ({ seq: ++seq, at, type, callId, data });
const idle = (at: number, agent: string): JournalEvent => ev(at, "agent.state", { agent, status: { kind: "available" }, state: "idle" }, null);
const offer = (at: number, agent: string, waitedMs: number): JournalEvent => ev(at, "queue.offer", { agents: [agent], waitedMs });

test("an offer counts only when its caller joined before the agent became idle", () => {
  const events = [
    idle(1000, "2000"),
    offer(1500, "2000", 0), // caller arrived to an idle agent: not a backlog offer
    idle(2100, "2000"),
    offer(2103, "2000", 400), // joined at 1703, before the agent freed at 2100: 3 ms
    idle(3000, "2001"),
    offer(3000, "2001", 1), // joined at 2999, same-millisecond offer: 0 ms
  ];
  assert.deepEqual(backlogOffers(events), [
    { agent: "2000", ordinal: 1, idleToOfferMs: 3 },
    { agent: "2001", ordinal: 0, idleToOfferMs: 0 },
  ]);
});

test("the wire time pairs the agent's k-th INVITE with its k-th offer and the free line before it", () => {
  const log = parseAgentLog(["offer 2000 10", "free 2000 520", "offer 2000 524", "garbage", "offer 2001 40", "free 2001 700", "offer 2001 709", ""].join("\n"));
  assert.equal(log.length, 6);
  const events = [offer(0, "2000", 0), offer(5, "2001", 0), idle(600, "2000"), offer(601, "2000", 300), idle(800, "2001"), offer(800, "2001", 100)];
  assert.deepEqual(freeToOffer(events, log), { journalMs: [1, 0], wireMs: [4, 9] });
});

test("answered rate over the answers' span; quantile by nearest rank", () => {
  const events = [0, 250, 500, 750, 1000].map((at) => ev(at, "call.answered", {}));
  assert.deepEqual(answeredRate(events), { answered: 5, perSecond: 4 });
  assert.ok(Number.isNaN(answeredRate([]).perSecond));
  assert.equal(quantile([5, 1, 3, 2, 4], 0.5), 3);
  assert.equal(quantile(Array.from({ length: 100 }, (_, i) => i + 1), 0.99), 99);
  assert.ok(Number.isNaN(quantile([], 0.5)));
});

test("the janitor ends a stale INVITE with 480 and a BYE with 481, adds a To tag, and never answers ACK", async () => {
  const { staleResponse } = await import("./janitor.ts");
  const invite = ["INVITE sip:2001@127.0.0.1:5 SIP/2.0", "Via: SIP/2.0/UDP 127.0.0.1:9;branch=z9hG4bKa", "From: <sip:a@x>;tag=1", "To: <sip:2001@x>", "Call-ID: c1", "CSeq: 1 INVITE", "Content-Length: 0", "", ""].join("\r\n");
  assert.equal(
    staleResponse(invite),
    ["SIP/2.0 480 Temporarily Unavailable", "Via: SIP/2.0/UDP 127.0.0.1:9;branch=z9hG4bKa", "From: <sip:a@x>;tag=1", "To: <sip:2001@x>;tag=bench-janitor", "Call-ID: c1", "CSeq: 1 INVITE", "Content-Length: 0", "", ""].join("\r\n"),
  );
  const bye = invite.replace("INVITE sip", "BYE sip").replace("To: <sip:2001@x>", "To: <sip:2001@x>;tag=9").replace("1 INVITE", "2 BYE");
  assert.match(staleResponse(bye) ?? "", /^SIP\/2\.0 481 Call\/Transaction Does Not Exist\r\n[^]*To: <sip:2001@x>;tag=9\r\n/);
  assert.equal(staleResponse(invite.replace("INVITE sip", "ACK sip")), undefined);
  assert.equal(staleResponse("SIP/2.0 200 OK\r\nCSeq: 1 INVITE\r\n\r\n"), undefined);
});
