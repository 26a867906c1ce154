// ACD races end to end with SIPp agents (issue 4: the faults Asterisk app_queue and FreeSWITCH
// mod_callcenter are known for):
// - two agents answering one call: a ring-all queue whose two agents answer at once, five calls
//   in a row (both answer 100 ms after their INVITE with no provisional first, so hotline
//   may not CANCEL either and both answers arrive, fixtures/sipp/uas-answer-after-100ms-…); exactly
//   one is bridged and counted, the other's 2xx is ACKed and BYEd at once (RFC 3261 §13.2.2.4,
//   §15), and neither agent is left reserved;
// - an agent's phone that vanishes while ringing (its SIPp is SIGKILLed): the offer times out,
//   the agent goes on break "no-answer" and the caller is offered to the next agent;
// - a caller who hangs up while an agent's phone rings: the INVITE is CANCELled, the agent idle.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { join } from "node:path";
import { journal as readJournal, liveCalls as readLiveCalls, runSipp, SIPP_DIR, startHotline, waitFor, type Hotline, type JournalEvent, type LiveCall, type SippResult, sippMediaPort } from "./harness.ts";
import { creds, loginSippAgents, queueHotlineOptions, queueUsers, show } from "./queue-helpers.ts";

const AGENTS = ["1001", "1002", "1003", "1004", "1005"];
const CALLER = "1009";
const USERS = queueUsers([...AGENTS, CALLER]);

interface AgentView {
  agent: string;
  registered: boolean;
  status: { kind: string; reason?: string };
  state: string;
}

describe("ACD races: two answers, a vanished phone, a caller who leaves while an agent rings", () => {
  let h: Hotline;
  const port = new Map<string, number>();
  const agents = async (): Promise<AgentView[]> => (await h.api<{ agents: AgentView[] }>("/api/queues")).agents;
  const agent = async (a: string): Promise<AgentView | undefined> => (await agents()).find((x) => x.agent === a);
  const journal = (query: string): Promise<JournalEvent[]> => readJournal(h, `${query}&limit=1000`);
  const liveCalls = (): Promise<LiveCall[]> => readLiveCalls(h);
  /** A caller into `queue` who stays `holdMs` once answered, then hangs up (the queue answers at once with music). */
  const caller = (queue: string, holdMs: number): Promise<SippResult> =>
    runSipp({ scenario: "uac-call-expect-200-rtp-bye.xml", port: h.sipPort, injection: creds(CALLER), extra: ["-s", queue, "-d", String(holdMs)], timeoutSeconds: 30 });
  const uas = async (a: string, scenario: string): Promise<SippResult> =>
    runSipp({ scenario, port: h.sipPort, localPort: port.get(a)!, extra: ["-mp", String(await sippMediaPort())], timeoutSeconds: 25 });

  before(async () => {
    h = await startHotline(await queueHotlineOptions({
      users: USERS,
      media: { portMin: 41000, portMax: 41999 },
      authenticateInvites: false,
      queues: [
        '  "7201": { strategy: ring-all, members: { "1001": 1, "1002": 1 }, wrapUpSeconds: 0, ringSeconds: 10 }',
        '  "7202": { strategy: linear, members: { "1003": 1, "1004": 1 }, wrapUpSeconds: 0, ringSeconds: 3 }',
        '  "7203": { strategy: linear, members: { "1005": 1 }, wrapUpSeconds: 0, ringSeconds: 20 }',
      ],
    }));
    await loginSippAgents(h, AGENTS, port);
  });
  after(async () => {
    await h?.stop();
  });

  test("ring-all, both agents answer at once, 5 calls: one is bridged and counted, the other gets ACK + BYE at once; nobody left reserved", async () => {
    const winners: string[] = [];
    for (let i = 0; i < 5; i++) {
      const phones = ["1001", "1002"].map((a) => uas(a, "uas-answer-after-100ms-without-180-expect-ack-bye.xml").then((r) => ({ agent: a, r })));
      const call = caller("7201", 3000);
      // The agent whose answer lost is hung up while the caller still talks to the other one.
      const loser = await Promise.race(phones);
      assert.equal(loser.r.code, 0, `call ${i}: the losing agent's phone got ACK and BYE: ${show(loser.r)}`);
      assert.match(loser.r.messages, /SIP\/2\.0 200 OK[\s\S]*m=audio/, `call ${i}: ${loser.agent} did answer`);
      const winner = loser.agent === "1001" ? "1002" : "1001";
      const live = (await liveCalls()).filter((c) => c.dialed === "7201");
      assert.equal(live.length, 1, `call ${i}: one call ${JSON.stringify(live)}`);
      const [c] = live;
      assert.ok(c !== undefined && c.state === "connected" && c.answeredBy === winner && c.connectedTo === winner, `call ${i}: bridged to ${winner}: ${JSON.stringify(c)}`);
      // The caller hears one agent: the live legs are the caller's and the winner's; the loser's leg is ended (kept for the CDR).
      assert.deepEqual(c.legs.filter((l) => !l.ended).map((l) => l.party), [CALLER, winner], `call ${i}: ${JSON.stringify(c.legs)}`);
      assert.ok(c.legs.filter((l) => l.party === loser.agent).every((l) => l.ended), `call ${i}: ${loser.agent}'s leg ended: ${JSON.stringify(c.legs)}`);
      const r = await call;
      assert.equal(r.code, 0, `call ${i}: caller ${show(r)}`);
      for (const p of await Promise.all(phones)) assert.equal(p.r.code, 0, `call ${i}: ${p.agent} ${show(p.r)}`);
      winners.push(winner);
      // One answer in the journal, for the winner; both agents free again (wrap-up 0).
      const answered = await journal(`callId=${c.id}&type=queue.answered`);
      assert.deepEqual(answered.map((e) => e.data["agent"]), [winner], `call ${i}: one queue.answered`);
      let list: AgentView[] = [];
      await waitFor(async () => {
        list = (await agents()).filter((x) => x.agent === "1001" || x.agent === "1002");
        return list.every((x) => x.state === "idle" && x.status.kind === "available");
      }, 5000, () => `call ${i}: agents not idle and available: ${JSON.stringify(list)}`);
    }
    const cdrs = (await h.api<{ cdrs: { dialed: string; answeredBy: string | null }[] }>("/api/cdrs?limit=100")).cdrs.filter((x) => x.dialed === "7201");
    assert.deepEqual(cdrs.map((x) => x.answeredBy).sort(), [...winners].sort(), `CDRs ${JSON.stringify(cdrs)}`);
  });

  test("an agent's phone vanishes while ringing: the offer times out, the agent goes on break 'no-answer', the caller gets the next agent", async () => {
    // 1003 (first in linear order) rings and is then killed, as a phone that loses power.
    const args = ["-sf", join(SIPP_DIR, "uas-ring-expect-cancel.xml"), `127.0.0.1:${h.sipPort}`, "-i", "127.0.0.1", "-p", String(port.get("1003")!), "-m", "1", "-t", "u1", "-nostdin", "-timeout", "20s"];
    const ringing = spawn("sipp", args, { stdio: ["ignore", "ignore", "ignore"] });
    const gone = new Promise<void>((res) => ringing.once("exit", () => res()));
    const killer = setTimeout(() => ringing.kill("SIGKILL"), 30_000);
    try {
      const next = uas("1004", "uas-answer-expect-bye.xml");
      // The caller stays long enough for the 3 s offer to 1003 to time out and 1004 to answer.
      const call = caller("7202", 8000);
      let seen: AgentView | undefined;
      await waitFor(async () => (seen = await agent("1003"))?.state === "ringing", 10_000, () => `1003 not ringing: ${JSON.stringify(seen)}`);
      ringing.kill("SIGKILL");
      await gone;
      const r = await call;
      assert.equal(r.code, 0, show(r));
      const n = await next;
      assert.equal(n.code, 0, show(n));
      const cdr = (await h.api<{ cdrs: { dialed: string; answeredBy: string | null }[] }>("/api/cdrs?limit=100")).cdrs.find((x) => x.dialed === "7202");
      assert.equal(cdr?.answeredBy, "1004");
      const a = await agent("1003");
      assert.deepEqual([a?.status, a?.state], [{ kind: "on-break", reason: "no-answer" }, "idle"], JSON.stringify(a));
      await waitFor(async () => (await agent("1004"))?.state === "idle", 5000, () => "1004 not idle after the call");
    } finally {
      clearTimeout(killer);
      ringing.kill("SIGKILL");
    }
  });

  test("the caller hangs up while the agent's phone rings: the INVITE is CANCELled and the agent is idle and available again", async () => {
    const before = (await journal("type=queue.abandoned")).length;
    const ringing = uas("1005", "uas-ring-expect-cancel.xml");
    // Ring time 20 s: the caller leaves (BYE after 2 s of music) long before the offer times out.
    const r = await caller("7203", 2000);
    assert.equal(r.code, 0, show(r));
    const phone = await ringing;
    assert.equal(phone.code, 0, `1005's phone got a CANCEL: ${show(phone)}`);
    assert.match(phone.messages, /^CANCEL /m);
    const abandoned = (await journal("type=queue.abandoned")).slice(before);
    assert.deepEqual(abandoned.map((e) => e.data["queue"]), ["7203"]);
    let a: AgentView | undefined;
    await waitFor(async () => {
      a = await agent("1005");
      return a?.state === "idle" && a.status.kind === "available";
    }, 5000, () => `1005 not idle and available: ${JSON.stringify(a)}`);
  });
});
