// A first ACD queue end to end (issue 4, started): two SIPp agents register and log in with
// the feature code *60 (hotline answers, plays a confirmation tone and hangs up); a caller
// dials the queue, is answered with music on hold, and the linear strategy's first agent
// (1001) answers; the CDR says so and the journal has the queue's events.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { freePort, journal, runSipp, startHotline, waitFor, type Hotline, type StartOptions, sippMediaPort } from "./harness.ts";
import { creds, dialFeatureCode, putAgentStatus, queueHotlineOptions, queueUsers, registerAgent, restartHotline, show } from "./queue-helpers.ts";

const USERS = queueUsers(["1001", "1002", "1009"]);

describe("ACD queue between SIPp phones", () => {
  let h: Hotline;
  let opts: StartOptions;
  before(async () => {
    opts = await queueHotlineOptions({
      users: USERS,
      media: { portMin: 33000, portMax: 33999 },
      authenticateInvites: false,
      queues: ['  "7000": { name: "Citizen hotline", strategy: linear, members: { "1001": 1, "1002": 1 }, ringSeconds: 10 }'],
    });
    h = await startHotline(opts);
  });
  after(async () => {
    await h.stop();
  });

  test("agents log in with *60; a caller to 7000 hears music, linear's first agent answers", async () => {
    const p1 = await freePort();
    const p2 = await freePort();
    for (const [ext, port] of [["1001", p1], ["1002", p2]] as const) {
      await registerAgent(h, ext, port);
      // The agent logs in from its desk phone: *60 is answered, a tone plays, hotline hangs up.
      await dialFeatureCode(h, ext, "*60");
    }
    // The operator's API: live figures, an agent put on break and back, clear errors.
    const put = (ext: string, body: unknown) => putAgentStatus(h, ext, body);
    let q = await h.api<{ queues: { queue: string; loggedIn: number; available: number }[]; agents: { agent: string; status: { kind: string }; registered: boolean }[] }>("/api/queues");
    assert.deepEqual(q.queues.map((x) => [x.queue, x.loggedIn, x.available]), [["7000", 2, 2]]);
    assert.ok(q.agents.every((a) => a.registered && a.status.kind === "available"), JSON.stringify(q.agents));
    assert.equal((await put("1002", { status: "on-break" })).status, 200);
    q = await h.api("/api/queues");
    assert.equal(q.agents.find((a) => a.agent === "1002")?.status.kind, "on-break");
    assert.equal((await put("1002", { status: "available" })).status, 200);
    const bad = await put("1002", { status: "sleeping" });
    assert.equal(bad.status, 400);
    assert.match(((await bad.json()) as { error: string }).error, /status: must be one of logged-in, logged-out, on-break, available \(got "sleeping"\)/);
    assert.equal((await put("1009", { status: "available" })).status, 404);
    const agent = runSipp({ scenario: "uas-answer-expect-bye.xml", port: h.sipPort, localPort: p1, extra: ["-mp", String(await sippMediaPort())], timeoutSeconds: 20 });
    const caller = await runSipp({ scenario: "uac-call-expect-200-rtp-bye.xml", port: h.sipPort, injection: creds("1009"), extra: ["-s", "7000", "-d", "1500"], timeoutSeconds: 20 });
    assert.equal(caller.code, 0, show(caller));
    assert.equal((await agent).code, 0, show(await agent));
    let cdr: { dialed: string; answeredBy: string | null; disposition: string; callId: string } | undefined;
    await waitFor(async () => (cdr = (await h.api<{ cdrs: NonNullable<typeof cdr>[] }>("/api/cdrs")).cdrs.find((c) => c.dialed === "7000")) !== undefined, 5000, () => "no CDR");
    assert.deepEqual({ answeredBy: cdr!.answeredBy, disposition: cdr!.disposition }, { answeredBy: "1001", disposition: "answered" });
    const events = await journal(h, `callId=${cdr!.callId}`);
    const types = events.map((e) => e.type);
    assert.ok(types.includes("queue.joined") && types.includes("queue.offer"), types.join(", "));
    assert.deepEqual(events.find((e) => e.type === "queue.offer")?.data["agents"], ["1001"]);
  });

  test("agent status survives a restart: 1001 available, 1002 on break come back as they were", async () => {
    const put = await putAgentStatus(h, "1002", { status: "on-break" });
    assert.equal(put.status, 200);
    h = await restartHotline(h, opts);
    const q = await h.api<{ agents: { agent: string; status: { kind: string; reason?: string } }[] }>("/api/queues");
    assert.deepEqual(
      q.agents.map((a) => [a.agent, a.status.kind]).sort(),
      [["1001", "available"], ["1002", "on-break"]],
    );
  });
});
