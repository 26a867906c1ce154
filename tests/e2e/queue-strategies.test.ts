// ACD strategies verified from who answered, with SIPp agents and callers on 127.0.0.1:
// linear always offers the first agent; round-robin rotates through the members; ring-all
// rings every agent at once, the first to answer gets the call and the others are CANCELled
// (cause 26, answered elsewhere). Wrap-up is 0 so consecutive calls see every agent free. The
// queue answers the caller at once (music while waiting), so callers stay 2 s for an agent.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { runSipp, startHotline, waitFor, type Hotline, sippMediaPort } from "./harness.ts";
import { creds, loginSippAgents, putAgentStatus, queueHotlineOptions, queueUsers, show } from "./queue-helpers.ts";

const AGENTS = ["1001", "1002", "1003"];
const USERS = queueUsers([...AGENTS, "1009"]);

interface Cdr {
  callId: string;
  dialed: string;
  answeredBy: string | null;
  startedAt: number;
}

describe("ACD strategies, verified from who answered", () => {
  let h: Hotline;
  const port = new Map<string, number>();
  before(async () => {
    const members = '{ "1001": 1, "1002": 1, "1003": 1 }';
    h = await startHotline(await queueHotlineOptions({
      users: USERS,
      media: { portMin: 31000, portMax: 31999 },
      authenticateInvites: false,
      queues: [
        `  "7001": { strategy: linear, members: ${members}, wrapUpSeconds: 0, ringSeconds: 8 }`,
        `  "7002": { strategy: round-robin, members: ${members}, wrapUpSeconds: 0, ringSeconds: 8 }`,
        `  "7003": { strategy: ring-all, members: ${members}, wrapUpSeconds: 0, ringSeconds: 8 }`,
        '  "7004": { strategy: linear, members: { "1001": 1, "1002": 1 }, wrapUpSeconds: 4, ringSeconds: 8 }',
        '  "7005": { strategy: linear, members: { "1001": 1, "1002": 1 }, wrapUpSeconds: 0, ringSeconds: 3 }',
      ],
    }));
    await loginSippAgents(h, AGENTS, port);
  });
  after(async () => {
    await h.stop();
  });

  /** Calls to `queue` one after the other; `answers` says how many each agent's phone takes. Returns who answered, in order. */
  async function sequentialCalls(queue: string, answers: Record<string, number>): Promise<(string | null)[]> {
    const count = Object.values(answers).reduce((a, b) => a + b, 0);
    const uas = Object.entries(answers).map(async ([a, n]) =>
      runSipp({ scenario: "uas-answer-expect-bye.xml", port: h.sipPort, localPort: port.get(a)!, calls: n, extra: ["-mp", String(await sippMediaPort())], timeoutSeconds: 30 }),
    );
    const before = Date.now();
    for (let i = 0; i < count; i++) {
      const c = await runSipp({ scenario: "uac-call-expect-200-rtp-bye.xml", port: h.sipPort, injection: creds("1009"), extra: ["-s", queue, "-d", "2000"], timeoutSeconds: 20 });
      assert.equal(c.code, 0, show(c));
    }
    // Every agent phone took exactly its calls (and has exited, freeing its port).
    for (const r of await Promise.all(uas)) assert.equal(r.code, 0, show(r));
    let cdrs: Cdr[] = [];
    await waitFor(async () => {
      cdrs = (await h.api<{ cdrs: Cdr[] }>("/api/cdrs?limit=100")).cdrs.filter((x) => x.dialed === queue && x.startedAt >= before);
      return cdrs.length === count;
    }, 5000, () => `${cdrs.length} of ${count} CDRs`);
    return cdrs.sort((a, b) => a.startedAt - b.startedAt).map((c) => c.answeredBy);
  }

  test("linear: every call goes to the first agent while it is free", async () => {
    assert.deepEqual(await sequentialCalls("7001", { "1001": 3 }), ["1001", "1001", "1001"]);
  });

  test("round-robin: the calls go to 1001, 1002, 1003 in turn", async () => {
    const order = await sequentialCalls("7002", { "1001": 1, "1002": 1, "1003": 1 });
    // Wherever the pointer starts, it moves on by one member per call.
    assert.equal(new Set(order).size, 3, `three different agents: ${order.join(", ")}`);
    const idx = order.map((a) => AGENTS.indexOf(a ?? ""));
    assert.deepEqual([(idx[1]! - idx[0]! + 3) % 3, (idx[2]! - idx[1]! + 3) % 3], [1, 1], `in member order: ${order.join(", ")}`);
  });

  test("ring-all: all three ring at once; 1003 answers, 1001 and 1002 are CANCELled (answered elsewhere)", async () => {
    const ringing = ["1001", "1002"].map((a) =>
      runSipp({ scenario: "uas-ring-expect-cancel-answered-elsewhere.xml", port: h.sipPort, localPort: port.get(a)!, timeoutSeconds: 20 }),
    );
    const answer = runSipp({ scenario: "uas-answer-expect-bye.xml", port: h.sipPort, localPort: port.get("1003")!, extra: ["-mp", String(await sippMediaPort())], timeoutSeconds: 20 });
    const c = await runSipp({ scenario: "uac-call-expect-200-rtp-bye.xml", port: h.sipPort, injection: creds("1009"), extra: ["-s", "7003", "-d", "2000"], timeoutSeconds: 20 });
    assert.equal(c.code, 0, show(c));
    for (const r of await Promise.all(ringing)) assert.equal(r.code, 0, show(r));
    assert.equal((await answer).code, 0);
  });

  async function agentStatus(agent: string): Promise<{ kind: string; reason?: string } | undefined> {
    const q = await h.api<{ agents: { agent: string; status: { kind: string; reason?: string } }[] }>("/api/queues");
    return q.agents.find((x) => x.agent === agent)?.status;
  }

  test("wrap-up: right after a call 1001 is in wrap-up, so the next call goes to 1002", async () => {
    assert.deepEqual(await sequentialCalls("7004", { "1001": 1, "1002": 1 }), ["1001", "1002"]);
  });

  test("no answer: 1001 rings 3 s, is CANCELled and put on break 'no-answer'; the caller gets 1002", async () => {
    // Both agents out of the previous test's wrap-up first.
    await waitFor(async () => (await h.api<{ agents: { state: string }[] }>("/api/queues")).agents.every((x) => x.state === "idle"), 8000, () => "agents still busy");
    const ringing = runSipp({ scenario: "uas-ring-expect-cancel.xml", port: h.sipPort, localPort: port.get("1001")!, timeoutSeconds: 20 });
    const answer = runSipp({ scenario: "uas-answer-expect-bye.xml", port: h.sipPort, localPort: port.get("1002")!, extra: ["-mp", String(await sippMediaPort())], timeoutSeconds: 20 });
    const c = await runSipp({ scenario: "uac-call-expect-200-rtp-bye.xml", port: h.sipPort, injection: creds("1009"), extra: ["-s", "7005", "-d", "5000"], timeoutSeconds: 20 });
    assert.equal(c.code, 0, show(c));
    assert.equal((await ringing).code, 0, show(await ringing));
    assert.equal((await answer).code, 0);
    assert.deepEqual(await agentStatus("1001"), { kind: "on-break", reason: "no-answer" });
  });

  test("an unregistered agent is never offered: 1001 (first in linear) unregisters, the call goes to 1002", async () => {
    const back = await putAgentStatus(h, "1001", { status: "available" });
    assert.equal(back.status, 200);
    const unreg = await runSipp({ scenario: "uac-unregister-expect-200-no-contact.xml", port: h.sipPort, localPort: port.get("1001")!, injection: creds("1001"), keys: { hexp: "300" } });
    assert.equal(unreg.code, 0, show(unreg));
    await waitFor(async () => (await h.api<{ agents: { agent: string; registered: boolean }[] }>("/api/queues")).agents.find((x) => x.agent === "1001")?.registered === false, 5000, () => "1001 still registered");
    assert.deepEqual(await sequentialCalls("7004", { "1002": 1 }), ["1002"]);
  });
});
