// A priority caller overtakes: one agent (1001) is busy with caller A; caller B joins the
// queue, then an emergency handset C (priorityCallers); when the agent is free again the
// engine offers C before B, although B waited longer (priority class first, FIFO within it).
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { runSipp, startHotline, waitFor, type Hotline, type SippResult, sippMediaPort } from "./harness.ts";
import { creds, queueHotlineOptions, queueUsers, registerAgent, setAgentStatus, show } from "./queue-helpers.ts";

const USERS = queueUsers(["1001", "1009", "1010"]);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

interface Cdr {
  caller: string;
  dialed: string;
  answeredBy: string | null;
  answeredAt: number | null;
  priority: number;
}

describe("ACD priority", () => {
  let h: Hotline;
  let agentPort = 0;
  before(async () => {
    h = await startHotline(await queueHotlineOptions({
      users: USERS,
      media: { portMin: 30000, portMax: 30999 },
      authenticateInvites: false,
      extraYaml: ['priorityCallers: [{ pattern: "1380000000X", priority: 10, label: emergency-handset }]'],
      queues: ['  "7010": { strategy: linear, members: { "1001": 1 }, wrapUpSeconds: 0, ringSeconds: 8 }'],
    }));
    agentPort = await registerAgent(h, "1001");
    await setAgentStatus(h, "1001", "logged-in");
  });
  after(async () => {
    await h.stop();
  });

  test("an emergency handset that joined later is served before an ordinary caller", async () => {
    const agent = runSipp({ scenario: "uas-answer-expect-bye.xml", port: h.sipPort, localPort: agentPort, calls: 3, extra: ["-mp", String(await sippMediaPort())], timeoutSeconds: 40 });
    const call = (who: string, holdMs: number): Promise<SippResult> =>
      runSipp({ scenario: "uac-call-expect-200-rtp-bye.xml", port: h.sipPort, injection: creds(who), extra: ["-s", "7010", "-d", String(holdMs)], timeoutSeconds: 30 });
    // A talks to the agent for ~3 s; B (ordinary) and then C (emergency) wait meanwhile.
    const a = call("1010", 3000);
    await waitFor(async () => (await h.api<{ calls: { connectedTo: string | null }[] }>("/api/calls")).calls.some((c) => c.connectedTo === "1001"), 5000, () => "A not connected");
    const b = call("1009", 12_000);
    await sleep(500);
    const c = call("13800000001", 6000);
    for (const r of await Promise.all([a, b, c, agent])) assert.equal(r.code, 0, show(r));
    let cdrs: Cdr[] = [];
    await waitFor(async () => (cdrs = (await h.api<{ cdrs: Cdr[] }>("/api/cdrs")).cdrs.filter((x) => x.dialed === "7010")).length === 3, 5000, () => "CDRs missing");
    const byCaller = new Map(cdrs.map((x) => [x.caller, x]));
    const cB = byCaller.get("1009");
    const cC = byCaller.get("13800000001");
    assert.ok(cB?.answeredAt != null && cC?.answeredAt != null, JSON.stringify(cdrs));
    assert.equal(cC.priority, 10);
    assert.ok(cC.answeredAt < cB.answeredAt, `C answered at ${cC.answeredAt}, B at ${cB.answeredAt}: the emergency caller must come first`);
    assert.ok(cdrs.every((x) => x.answeredBy === "1001"));
  });
});
