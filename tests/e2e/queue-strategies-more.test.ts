// The remaining ACD strategies verified end to end from who answered (issue 4): fewest-calls,
// least-talk-time, longest-idle, random, weighted-random, skill-level, sticky, plus ring-in-use
// and a baresip agent among SIPp agents. Every agent is a SIPp UAS that stays up and answers
// every call (auto-answer); callers are SIPp UACs making calls one after the other (-l 1), so
// each call starts only after the previous one ended and every agent is free again (wrap-up 0).
// Each scenario has its own agents, so their counters (calls, talk time, idle since) start
// from what the scenario itself did. Who answered comes from the CDRs (and, where the timing
// matters, from the journal's queue.offer events).
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { join } from "node:path";
import { journal, runSipp, SIPP_DIR, startHotline, waitFor, type Hotline, sippMediaPort } from "./harness.ts";
import { creds, queueHotlineOptions, queueUsers, registerAgent, setAgentStatus, show, sippPassword, waitAgentsAvailable } from "./queue-helpers.ts";
import { startBaresip, type Baresip } from "./baresip.ts";

/** Agents per scenario; the baresip agent is 2017. */
const SIPP_AGENTS = ["2001", "2002", "2003", "2004", "2005", "2006", "2007", "2008", "2009", "2010", "2011", "2012", "2013", "2014", "2015", "2016", "2018"];
const BARESIP_AGENT = "2017";
/** Callers: 1009 (most scenarios), 1101/1102 (sticky: nobody else's calls touch their history), 1103 (direct calls). */
const CALLERS = ["1008", "1009", "1101", "1102", "1103"];
const USERS = queueUsers([...SIPP_AGENTS, BARESIP_AGENT, ...CALLERS]);

const QUEUES = [
  '  "7101": { strategy: linear, members: { "2001": 1, "2002": 1 }, wrapUpSeconds: 0 }',
  '  "7102": { strategy: fewest-calls, members: { "2001": 1, "2002": 1 }, wrapUpSeconds: 0 }',
  '  "7103": { strategy: linear, members: { "2003": 1, "2004": 1 }, wrapUpSeconds: 0 }',
  '  "7104": { strategy: least-talk-time, members: { "2003": 1, "2004": 1 }, wrapUpSeconds: 0 }',
  '  "7105": { strategy: linear, members: { "2005": 1, "2006": 1 }, wrapUpSeconds: 0 }',
  '  "7106": { strategy: longest-idle, members: { "2005": 1, "2006": 1 }, wrapUpSeconds: 0 }',
  '  "7107": { strategy: random, members: { "2007": 1, "2008": 1 }, wrapUpSeconds: 0 }',
  '  "7108": { strategy: weighted-random, members: { "2009": { weight: 9 }, "2010": 1 }, wrapUpSeconds: 0 }',
  '  "7109": { strategy: skill-level, members: { "2011": 1, "2012": 2 }, skillWaitSeconds: 3, wrapUpSeconds: 0 }',
  '  "7110": { strategy: sticky, fallbackStrategy: linear, members: { "2013": 1, "2014": 1 }, stickyWindowSeconds: 600, stickyHoldSeconds: 10, wrapUpSeconds: 0 }',
  '  "7111": { strategy: linear, members: { "2015": 1, "2016": 1 }, wrapUpSeconds: 0 }',
  '  "7112": { strategy: longest-idle, members: { "2017": 1, "2018": 1 }, wrapUpSeconds: 0 }',
];

/**
 * How long a caller stays after hotline answers it (at once, with music while it waits): the
 * agent phones answer as soon as they are offered, so the agent gets most of it.
 */
const HOLD_MS = 800;

interface Cdr {
  callId: string;
  dialed: string;
  caller: string;
  answeredBy: string | null;
  startedAt: number;
}

interface SippAgent {
  output: () => string;
  stop: () => Promise<void>;
}

/**
 * An agent phone that answers every call until stopped: a SIPp UAS bounded to `seconds`. SIPp
 * exits at once when a port it needs is taken (the media port's neighbours are not checked by
 * freePort): then it is started again on another media port, at most 3 times.
 */
async function startSippAgent(sipPort: number, localPort: number, seconds: number): Promise<SippAgent> {
  let out = "";
  for (let attempt = 0; attempt < 3; attempt++) {
    const args = ["-sf", join(SIPP_DIR, "uas-answer-at-once-expect-bye.xml"), `127.0.0.1:${sipPort}`, "-i", "127.0.0.1", "-p", String(localPort), "-mp", String(await sippMediaPort()), "-m", "1000", "-nostdin", "-timeout", `${seconds}s`];
    const child = spawn("sipp", args, { stdio: ["ignore", "pipe", "pipe"] });
    child.stdout.on("data", (d: Buffer) => (out = (out + d.toString()).slice(-4000)));
    child.stderr.on("data", (d: Buffer) => (out = (out + d.toString()).slice(-4000)));
    const exited = new Promise<void>((res) => child.once("exit", () => res()));
    const killer = setTimeout(() => child.kill("SIGKILL"), (seconds + 5) * 1000);
    const early = await Promise.race([exited.then(() => true), new Promise<boolean>((res) => setTimeout(() => res(false), 500))]);
    if (early) {
      clearTimeout(killer);
      continue;
    }
    return {
      output: () => out,
      stop: async () => {
        clearTimeout(killer);
        if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
        await exited;
      },
    };
  }
  throw new Error(`SIPp agent on port ${localPort} did not start:\n${out}`);
}

describe("ACD strategies (fewest-calls … sticky, ring-in-use, baresip), verified from who answered", () => {
  let h: Hotline;
  const phones: SippAgent[] = [];
  let baresip: Baresip | undefined;

  before(async () => {
    h = await startHotline(await queueHotlineOptions({ users: USERS, media: { portMin: 33000, portMax: 33999 }, authenticateInvites: false, queues: QUEUES }));
    // baresip first: logged in before 2018, it has been idle longer (7112's first pick).
    baresip = await startBaresip({ username: BARESIP_AGENT, password: sippPassword(BARESIP_AGENT), registrarPort: h.sipPort, accountParams: ["answermode=auto"], lifetimeSeconds: 170 });
    const agentsInOrder = [BARESIP_AGENT, ...SIPP_AGENTS];
    const sippPorts: number[] = [];
    for (const a of SIPP_AGENTS) sippPorts.push(await registerAgent(h, a));
    phones.push(...(await Promise.all(sippPorts.map((p) => startSippAgent(h.sipPort, p, 160)))));
    for (const a of agentsInOrder) await setStatus(a, "logged-in");
    await waitAgentsAvailable(h, agentsInOrder.length, 10_000);
  });
  after(async () => {
    await Promise.all(phones.map((p) => p.stop()));
    await baresip?.stop();
    await h?.stop();
  });

  const setStatus = (agent: string, status: "logged-in" | "available" | "on-break"): Promise<void> => setAgentStatus(h, agent, status);

  async function cdrsOf(queue: string, since: number, count: number): Promise<Cdr[]> {
    let cdrs: Cdr[] = [];
    await waitFor(async () => {
      cdrs = (await h.api<{ cdrs: Cdr[] }>("/api/cdrs?limit=500")).cdrs.filter((x) => x.dialed === queue && x.startedAt >= since);
      return cdrs.length >= count;
    }, 8000, () => `${cdrs.length} of ${count} CDRs for ${queue}`);
    return cdrs.sort((a, b) => a.startedAt - b.startedAt);
  }

  /** `count` calls from `caller` to `queue`, one after the other (each `holdMs` after hotline answers); who answered each, in order. */
  async function calls(queue: string, count: number, opts: { caller?: string; holdMs?: number } = {}): Promise<(string | null)[]> {
    const since = Date.now();
    const c = await runSipp({
      scenario: "uac-call-expect-200-rtp-bye.xml",
      port: h.sipPort,
      injection: creds(opts.caller ?? "1009"),
      calls: count,
      extra: ["-s", queue, "-d", String(opts.holdMs ?? HOLD_MS), "-l", "1"],
      timeoutSeconds: 15 + count * 3,
    });
    assert.equal(c.code, 0, show(c));
    assert.equal(c.successful, count, show(c));
    return (await cdrsOf(queue, since, count)).map((x) => x.answeredBy);
  }

  test("fewest-calls: 2001 took two calls (linear), so 2002 gets the next two; at 2–2 the tie goes to 2001 (id)", async () => {
    assert.deepEqual(await calls("7101", 2), ["2001", "2001"], "warm-up through the linear queue");
    // longest-idle would alternate (2002, 2001, 2002); linear would pick 2001 every time.
    assert.deepEqual(await calls("7102", 3), ["2002", "2002", "2001"]);
  });

  test("least-talk-time: after one 4 s call on 2003, three short calls all go to 2004", async () => {
    assert.deepEqual(await calls("7103", 1, { holdMs: 4000 }), ["2003"]);
    // fewest-calls and longest-idle would give 2003 the second call.
    assert.deepEqual(await calls("7104", 3), ["2004", "2004", "2004"]);
  });

  test("longest-idle: 2005 just took two calls, so 2006 first, then whoever waited longer: 2005, 2006", async () => {
    assert.deepEqual(await calls("7105", 2), ["2005", "2005"]);
    // fewest-calls would give 2006 the second call too (1 < 2); linear 2005 each time.
    assert.deepEqual(await calls("7106", 3), ["2006", "2005", "2006"]);
  });

  // Separate queues, agents and callers: the two statistical runs go side by side.
  describe("random and weighted-random", { concurrency: true }, () => {
  test("random: 20 calls over two free agents reach both, and not in strict alternation", async () => {
    // Each call picks 2007 or 2008 with probability 1/2, independently (both are free for every
    // call). A correct engine fails this only if all 20 go to one agent (2 · 2^-20 ≈ 1.9e-6) or
    // they alternate strictly (2 · 2^-20 ≈ 1.9e-6): about 3.8e-6 in all, below 1e-4. A fixed
    // order (linear, longest-idle, round-robin) fails it every time.
    const order = await calls("7107", 20);
    const n7 = order.filter((a) => a === "2007").length;
    const n8 = order.filter((a) => a === "2008").length;
    assert.equal(n7 + n8, 20, order.join(", "));
    assert.ok(n7 >= 1 && n8 >= 1, `both agents answered: ${order.join(", ")}`);
    const alternates = order.every((a, i) => i === 0 || a !== order[i - 1]);
    assert.ok(!alternates, `not strict alternation: ${order.join(", ")}`);
  });

  test("weighted-random: with weights 9:1, the heavy agent takes at least 28 of 40 calls", async () => {
    // The heavy agent's count is Binomial(40, 0.9). A correct engine fails this when it is ≤ 27:
    // P ≈ 8.8e-5 (below 1e-4). Ignoring the weights (plain random, Binomial(40, 0.5)) passes it
    // with P ≈ 0.008, an alternating strategy never (20 each).
    const order = await calls("7108", 40, { caller: "1008" });
    const heavy = order.filter((a) => a === "2009").length;
    const light = order.filter((a) => a === "2010").length;
    assert.equal(heavy + light, 40, order.join(", "));
    assert.ok(heavy >= 28, `2009 (weight 9) answered ${heavy} of 40, 2010 (weight 1) ${light}`);
  });
  });

  test("skill-level: with both free the level-1 agent gets the call; while it is busy, level 2 gets one only after skillWaitSeconds", async () => {
    // 2012 (level 2) logged in earlier and has been idle longer: longest-idle would pick it.
    assert.deepEqual(await calls("7109", 1), ["2011"]);
    const since = Date.now();
    const first = runSipp({ scenario: "uac-call-expect-200-rtp-bye.xml", port: h.sipPort, injection: creds("1008"), extra: ["-s", "7109", "-d", "8000"], timeoutSeconds: 30 });
    await waitFor(async () => {
      const q = await h.api<{ agents: { agent: string; state: string }[] }>("/api/queues");
      return q.agents.find((a) => a.agent === "2011")?.state === "in-call";
    }, 8000, () => "2011 not in the first call");
    // The second caller stays 5 s: long enough to wait out skillWaitSeconds and be answered.
    assert.deepEqual(await calls("7109", 1, { holdMs: 5000 }), ["2012"], "level 2 takes the second caller");
    const r = await first;
    assert.equal(r.code, 0, show(r));
    const cdrs = await cdrsOf("7109", since, 2);
    assert.deepEqual(cdrs.map((c) => [c.caller, c.answeredBy]), [["1008", "2011"], ["1009", "2012"]]);
    // The second caller was offered once, to 2012, and only after waiting skillWaitSeconds (3 s).
    const events = await journal(h, `callId=${cdrs[1]!.callId}&limit=100`);
    const offers = events.filter((e) => e.type === "queue.offer").map((e) => e.data);
    assert.equal(offers.length, 1, JSON.stringify(offers));
    assert.deepEqual(offers[0]?.["agents"], ["2012"]);
    assert.ok(Number(offers[0]?.["waitedMs"]) >= 3000, `offered to level 2 after ${String(offers[0]?.["waitedMs"])} ms`);
  });

  test("sticky: caller 1101, served by 2014 once, gets 2014 again although the fallback (linear) picks 2013 for others", async () => {
    await setStatus("2013", "on-break");
    assert.deepEqual(await calls("7110", 1, { caller: "1101" }), ["2014"], "2013 on break: 1101 is served by 2014");
    await setStatus("2013", "available");
    assert.deepEqual(await calls("7110", 1, { caller: "1102" }), ["2013"], "a new caller: linear picks 2013");
    assert.deepEqual(await calls("7110", 1, { caller: "1101" }), ["2014"], "1101 is offered 2014 first");
  });

  test("ring-in-use off (default): 2015 on a direct call is skipped, the queue call goes to 2016; after it, linear picks 2015 again", async () => {
    const direct = runSipp({ scenario: "uac-call-expect-200-rtp-bye.xml", port: h.sipPort, injection: creds("1103"), extra: ["-s", "2015", "-d", "5000"], timeoutSeconds: 30 });
    await waitFor(async () => {
      const r = await h.api<{ calls: { dialed: string; state: string }[] }>("/api/calls");
      return r.calls.some((c) => c.dialed === "2015" && c.state === "connected");
    }, 8000, () => "the direct call to 2015 is not connected");
    assert.deepEqual(await calls("7111", 1), ["2016"]);
    const d = await direct;
    assert.equal(d.code, 0, show(d));
    await waitFor(async () => (await h.api<{ calls: { dialed: string }[] }>("/api/calls")).calls.every((c) => c.dialed !== "2015"), 5000, () => "direct call still up");
    assert.deepEqual(await calls("7111", 1), ["2015"]);
  });

  test("longest-idle with a baresip agent (auto-answer) among SIPp agents: baresip 2017, SIPp 2018, baresip 2017", async () => {
    const from = baresip!.events.length;
    assert.deepEqual(await calls("7112", 3), ["2017", "2018", "2017"]);
    // baresip really took two calls (its own events, not only our CDRs).
    const established = () => baresip!.events.slice(from).filter((e) => e.type === "CALL_ESTABLISHED").length;
    await waitFor(() => established() === 2, 5000, () => `baresip established ${established()} calls`);
  });
});
