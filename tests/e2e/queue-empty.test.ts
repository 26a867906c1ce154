// Queues with no logged-in agent (issue 4): joinWhenNoAgents false sends a new caller to the
// overflow number at once; leaveWhenNoAgents true moves a waiting caller there when the last
// agent logs out (*61). The overflow number is an extension answered by a SIPp UAS. Also the
// agents' `registered` and `inUse` flags in GET /api/agents.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { journal, runSipp, startHotline, waitFor, type Hotline, type JournalEvent, sippMediaPort } from "./harness.ts";
import { creds, dialFeatureCode, queueHotlineOptions, queueUsers, registerAgent, show } from "./queue-helpers.ts";

const USERS = queueUsers(["1001", "1003", "1009"]);

interface Cdr {
  callId: string;
  dialed: string;
  answeredBy: string | null;
  disposition: string;
}
interface AgentRow {
  agent: string;
  status: { kind: string };
  registered: boolean;
  inUse: boolean;
}

describe("ACD queue with no agent logged in", () => {
  let h: Hotline;
  let overflowPort = 0;
  before(async () => {
    h = await startHotline(await queueHotlineOptions({
      users: USERS,
      media: { portMin: 34000, portMax: 34999 },
      authenticateInvites: false,
      queues: [
        '  "7000": { strategy: linear, members: { "1001": 1 }, joinWhenNoAgents: false, overflow: "1003" }',
        '  "7001": { strategy: linear, members: { "1001": 1 }, leaveWhenNoAgents: true, overflow: "1003" }',
        // 1003 is a member here only so that /api/agents shows it (never logged in, never offered).
        '  "7002": { strategy: linear, members: { "1003": 1 } }',
      ],
    }));
    overflowPort = await registerAgent(h, "1003");
  });
  after(async () => {
    await h.stop();
  });

  const cdrOf = async (dialed: string, seen: Set<string>): Promise<Cdr> => {
    let cdr: Cdr | undefined;
    await waitFor(async () => (cdr = (await h.api<{ cdrs: Cdr[] }>("/api/cdrs")).cdrs.find((c) => c.dialed === dialed && !seen.has(c.callId))) !== undefined, 5000, () => `no CDR for ${dialed}`);
    seen.add(cdr!.callId);
    return cdr!;
  };
  const eventsOf = (callId: string): Promise<JournalEvent[]> => journal(h, `callId=${callId}`);
  const agents = async (): Promise<AgentRow[]> => (await h.api<{ agents: AgentRow[] }>("/api/agents")).agents;
  const seen = new Set<string>();

  test("joinWhenNoAgents false: a caller to a queue with nobody logged in goes straight to the overflow extension", async () => {
    // Registration is re-read every 2 s (queue-agent-sync.ts): wait until 1003's shows.
    await waitFor(async () => (await agents()).find((a) => a.agent === "1003")?.registered === true, 5000, () => "1003 not registered");
    assert.deepEqual(
      (await agents()).map((a) => [a.agent, a.status.kind, a.registered, a.inUse]).sort(),
      [["1001", "logged-out", false, false], ["1003", "logged-out", true, false]],
    );
    const uas = runSipp({ scenario: "uas-answer-expect-bye.xml", port: h.sipPort, localPort: overflowPort, extra: ["-mp", String(await sippMediaPort())], timeoutSeconds: 20 });
    const caller = await runSipp({ scenario: "uac-call-expect-200-rtp-bye.xml", port: h.sipPort, injection: creds("1009"), extra: ["-s", "7000", "-d", "1000"], timeoutSeconds: 20 });
    assert.equal(caller.code, 0, show(caller));
    assert.equal((await uas).code, 0, show(await uas));
    const cdr = await cdrOf("7000", seen);
    assert.deepEqual({ answeredBy: cdr.answeredBy, disposition: cdr.disposition }, { answeredBy: "1003", disposition: "answered" });
    const events = await eventsOf(cdr.callId);
    const overflow = events.find((e) => e.type === "queue.overflow")?.data;
    assert.deepEqual([overflow?.["queue"], overflow?.["to"], typeof overflow?.["waitMs"]], ["7000", "1003", "number"]);
    // Sent on at join, never answered by the queue: no music, no announcement.
    assert.equal(events.some((e) => e.type === "queue.announcement"), false);
    assert.equal(events.some((e) => e.type === "queue.offer"), false, "nobody was offered the call");
    const q = (await h.api<{ queues: { queue: string; offered: number; overflowed: number; refused: number }[] }>("/api/queues")).queues.find((x) => x.queue === "7000");
    assert.deepEqual([q?.offered, q?.overflowed, q?.refused], [1, 1, 0]);
  });

  test("leaveWhenNoAgents true: a waiting caller moves to the overflow extension when the only agent logs out (*61)", async () => {
    await registerAgent(h, "1001");
    await dialFeatureCode(h, "1001", "*60");
    // On break the agent is logged in but takes no call: the caller waits in 7001.
    await dialFeatureCode(h, "1001", "*62");
    await waitFor(async () => (await agents()).find((a) => a.agent === "1001")?.status.kind === "on-break", 5000, () => "1001 not on break");
    const uas = runSipp({ scenario: "uas-answer-expect-bye.xml", port: h.sipPort, localPort: overflowPort, extra: ["-mp", String(await sippMediaPort())], timeoutSeconds: 30 });
    // The caller hangs up 8 s after its call is answered (by the queue's music first).
    const caller = runSipp({ scenario: "uac-call-expect-200-rtp-bye.xml", port: h.sipPort, injection: creds("1009"), extra: ["-s", "7001", "-d", "8000"], timeoutSeconds: 30 });
    type QueueRow = { queue: string; waiting: number; overflowed: number };
    await waitFor(async () => (await h.api<{ queues: QueueRow[] }>("/api/queues")).queues.find((x) => x.queue === "7001")?.waiting === 1, 5000, () => "the caller is not waiting in 7001");
    await dialFeatureCode(h, "1001", "*61");
    // While the caller talks to 1003 (a direct, non-queue call for it) 1003 shows inUse.
    await waitFor(async () => (await agents()).find((a) => a.agent === "1003")?.inUse === true, 6000, () => "1003 not in use during the overflow call");
    assert.equal((await caller).code, 0, show(await caller));
    assert.equal((await uas).code, 0, show(await uas));
    const cdr = await cdrOf("7001", seen);
    assert.equal(cdr.answeredBy, "1003");
    const events = await eventsOf(cdr.callId);
    assert.equal(events.find((e) => e.type === "queue.overflow")?.data["to"], "1003");
    const q = (await h.api<{ queues: QueueRow[] }>("/api/queues")).queues.find((x) => x.queue === "7001");
    assert.deepEqual([q?.waiting, q?.overflowed], [0, 1]);
    await waitFor(async () => (await agents()).find((a) => a.agent === "1003")?.inUse === false, 6000, () => "1003 still in use after the call");
  });
});
