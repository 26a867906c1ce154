// Ring-in-use (issue 4): an agent on a direct call is not offered queue calls unless the queue
// says ringInUse; per-agent ring time from the dial plan's `agents` reaches the engine.
import { test } from "node:test";
import assert from "node:assert/strict";
import type { QueueEntry } from "../routing/index.js";
import { examplePlan } from "../routing/example-plan.js";
import { invite, rig, settle } from "../testing/call-rig.js";

const SRC = (port: number) => ({ transport: "udp" as const, address: "127.0.0.1", port });
const QUEUE: QueueEntry = { name: null, strategy: "linear", members: { "1001": 1, "1002": 2 }, ringSeconds: 15, wrapUpSeconds: 0, maxWaitSeconds: null, overflow: null, maxLength: null };

async function queueRig(ringInUse: boolean) {
  const plan = examplePlan();
  // linear: 1001 (skill 1 sorts first by order 0, then id) is the first choice.
  plan.queues = { "7000": { ...QUEUE, ringInUse } };
  plan.agents = { "1001": { wrapUpSeconds: null, ringSeconds: 4, maxMisses: 1 } };
  plan.extensions["1001"]!.followMe = null;
  plan.extensions["1001"]!.forward = { always: null, busy: null, noAnswer: null };
  const r = await rig({ "1001": [5086], "1002": [5080] }, plan);
  for (const [ext, port] of [["1001", 5086], ["1002", 5080]] as const) {
    r.manager.onRequest(`login-${ext}`, invite(ext, "*60", { port }), SRC(port));
    await settle();
    assert.deepEqual(r.sip.statuses(`login-${ext}`), [100, 200], `${ext} logged in (the *60 call stays up: not "in use")`);
  }
  return r;
}

const invitesTo = (r: Awaited<ReturnType<typeof queueRig>>, port: number) => r.sip.requests.filter((x) => x.request.method === "INVITE" && x.request.uri.endsWith(`:${port}`));

test("ring-in-use off: 1001 is ringing with a direct call, so the queue call goes to 1002; once the direct call ends, 1001 is first again", async () => {
  const r = await queueRig(false);
  r.manager.onRequest("direct", invite("1003", "1001", { port: 6001 }), SRC(6001));
  await settle();
  assert.equal(invitesTo(r, 5086).length, 1, "the direct call rings 1001");
  r.manager.onRequest("q1", invite("1004", "7000", { port: 6003 }), SRC(6003));
  await settle();
  assert.equal(invitesTo(r, 5086).length, 1, "no queue offer to 1001");
  assert.equal(invitesTo(r, 5080).length, 1, "the queue call is offered to 1002");
  assert.equal(r.manager.queues.engine.agents.get("1001")?.inUse, true);
  const direct = [...r.manager.calls.values()].find((c) => c.dialed === "1001")!;
  await r.manager.endCall(direct, "caller", 16, "hung up");
  assert.equal(r.manager.queues.engine.agents.get("1001")?.inUse, false, "free again as soon as the direct call ends");
});

test("ring-in-use on: the queue offers 1001 even while its direct call rings; the offer lasts 1001's own 4 s", async () => {
  const r = await queueRig(true);
  r.manager.onRequest("direct", invite("1003", "1001", { port: 6001 }), SRC(6001));
  await settle();
  r.manager.onRequest("q1", invite("1004", "7000", { port: 6003 }), SRC(6003));
  await settle();
  assert.equal(invitesTo(r, 5086).length, 2, "direct call and queue offer both ring 1001");
  assert.equal(invitesTo(r, 5080).length, 0);
  r.clock.advance(4000);
  await settle();
  assert.deepEqual(r.manager.queues.engine.agents.get("1001")?.status, { kind: "on-break", reason: "no-answer" }, "agents.1001.ringSeconds: 4");
  assert.equal(invitesTo(r, 5080).length, 1, "then 1002");
});
