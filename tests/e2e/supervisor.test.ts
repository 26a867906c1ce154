// Supervisor controls end to end (issue 4): three baresip phones with different sine sources
// — caller 1004 at 440 Hz, agent 1002 at 1000 Hz, supervisor 1003 at 1700 Hz — record what
// they receive (sndfile module); a Goertzel detector on the recordings checks who heard whom
// in listen (*51), whisper (*52) and barge (HTTP API), and as the supervisor switches modes
// with RFC 4733 digits during one call (4 listen, 5 whisper, 6 barge). Also: an extension that does not
// supervise the agent gets 403 on the feature code and the API; take-over (*54), force hangup
// (API) and forced status (API and *56/*58) as GET /api/queues shows them; the audit journal.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readWav, toneShares } from "./audio.ts";
import { startBaresip, type Baresip, type BaresipEvent } from "./baresip.ts";
import { liveCalls as readLiveCalls, removeDir, startHotline, waitFor, type Hotline, type LiveCall } from "./harness.ts";
import { putAgentStatus, queueHotlineOptions, queueUsers } from "./queue-helpers.ts";

const PW = (u: string): string => `e2e-secret-${u}`;
const USERS = queueUsers(["1002", "1003", "1004", "1005"], PW);
const FREQ = { caller: 440, agent: 1000, supervisor: 1700 } as const;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

// ---- audio analysis ----------------------------------------------------------------------

/** What a recording heard: per tone, in how many windows it was clearly present / at all. */
function heard(path: string): Record<keyof typeof FREQ, { clear: number; any: number }> & { windows: number } {
  const names = Object.keys(FREQ) as (keyof typeof FREQ)[];
  const shares = toneShares(readWav(path), names.map((k) => FREQ[k]));
  const out = { windows: shares.length } as Record<keyof typeof FREQ, { clear: number; any: number }> & { windows: number };
  names.forEach((k, i) => (out[k] = { clear: shares.filter((w) => (w[i] ?? 0) > 0.3).length, any: shares.filter((w) => (w[i] ?? 0) > 0.12).length }));
  return out;
}

function newDecodedFiles(dir: string, seen: Set<string>): string[] {
  const files = readdirSync(dir).filter((f) => f.endsWith("-dec.wav") && !seen.has(f));
  for (const f of files) seen.add(f);
  return files.map((f) => join(dir, f));
}

// ---- the test ------------------------------------------------------------------------------

interface AuditEntry {
  actor: string;
  agent: string;
  action: string;
  via: string;
  outcome: string;
  reason: string | null;
  queues?: string[];
}

describe("supervisor controls with baresip phones", () => {
  let h: Hotline;
  let caller: Baresip;
  let agent: Baresip;
  let sup: Baresip;
  let other: Baresip;
  const rec = { caller: "", agent: "", supervisor: "" };
  const seen = { caller: new Set<string>(), agent: new Set<string>(), supervisor: new Set<string>() };
  let base = "";
  const basic = (u: string, pw = PW(u)): Record<string, string> => ({ authorization: `Basic ${Buffer.from(`${u}:${pw}`).toString("base64")}` });
  const post = (path: string, auth: Record<string, string>, body?: unknown) => fetch(base + path, { method: "POST", headers: auth, ...(body !== undefined && { body: JSON.stringify(body) }) });
  const liveCalls = (): Promise<LiveCall[]> => readLiveCalls(h);
  const audit = async (): Promise<AuditEntry[]> => (await h.api<{ events: { data: AuditEntry }[] }>("/api/journal?type=supervisor.action&limit=1000")).events.map((e) => e.data);
  const agentStatus = async (): Promise<string | undefined> => (await h.api<{ agents: { agent: string; status: { kind: string } }[] }>("/api/queues")).agents.find((a) => a.agent === "1002")?.status.kind;
  const closed = (phone: Baresip, from: number) => phone.waitForEvent((e) => e.type === "CALL_CLOSED", 10_000, from);

  before(async () => {
    h = await startHotline(await queueHotlineOptions({
      users: USERS,
      media: { portMin: 36000, portMax: 36999 },
      queues: ['  "7000": { strategy: linear, members: { "1002": 1 }, ringSeconds: 10, wrapUpSeconds: 0, supervisors: ["1003"] }'],
    }));
    base = `http://127.0.0.1:${h.httpPort}`;
    for (const k of Object.keys(rec) as (keyof typeof rec)[]) rec[k] = mkdtempSync(join(tmpdir(), `sup-e2e-${k}-`));
    const phone = (u: string, freq: number, dir: string | undefined, auto: boolean) =>
      startBaresip({ username: u, password: PW(u), registrarPort: h.sipPort, audioFrequency: freq, ...(dir !== undefined && { recordDir: dir }), accountParams: auto ? ["answermode=auto"] : [], lifetimeSeconds: 110 });
    caller = await phone("1004", FREQ.caller, rec.caller, false);
    agent = await phone("1002", FREQ.agent, rec.agent, true);
    sup = await phone("1003", FREQ.supervisor, rec.supervisor, true);
    other = await phone("1005", 600, undefined, false);
    await waitFor(async () => (await h.api<{ registrations: unknown[] }>("/api/registrations")).registrations.length >= 4, 10_000, () => "phones did not register");
    // The agent logs in through the operator's route (no Authorization: unchanged behaviour).
    const login = await putAgentStatus(h, "1002", { status: "available" });
    assert.equal(login.status, 200);
  });
  after(async () => {
    for (const p of [caller, agent, sup, other]) await p?.stop();
    await h?.stop();
    if (h !== undefined) removeDir(h.dataDir);
    for (const d of Object.values(rec)) if (d !== "") removeDir(d);
  });

  /** 1004 calls the queue; the agent auto-answers. Returns the queue call. */
  async function queueCall(): Promise<LiveCall> {
    const fromAgent = agent.events.length;
    await caller.command("dial", "sip:7000@hotline.test");
    await agent.waitForEvent((e) => e.type === "CALL_ESTABLISHED", 10_000, fromAgent);
    let call: LiveCall | undefined;
    await waitFor(async () => (call = (await liveCalls()).find((c) => c.dialed === "7000" && c.answeredBy === "1002" && c.state === "connected")) !== undefined, 5000, () => "queue call not connected");
    return call!;
  }

  /** Hangs up the caller and waits until all three phones' calls are closed. */
  async function endQueueCall(fromCaller: number, fromAgent: number): Promise<void> {
    await caller.command("hangup");
    await closed(caller, fromCaller);
    await closed(agent, fromAgent);
    await waitFor(async () => (await liveCalls()).length === 0, 5000, () => "calls left over");
  }

  test("an extension that does not supervise the agent: 403 on *51 and on the API, 401 for a wrong password; all audited", async () => {
    const from = other.events.length;
    await other.command("dial", "sip:*511002@hotline.test");
    const ev = await closed(other, from);
    assert.match(String(ev.param ?? ""), /403/, JSON.stringify(ev));
    const api = await post("/api/agents/1002/monitor", basic("1005"), { mode: "listen" });
    assert.equal(api.status, 403);
    assert.match(((await api.json()) as { error: string }).error, /1005 is not a supervisor of any queue 1002 is a member of/);
    assert.equal((await post("/api/agents/1002/monitor", basic("1003", "wrong"), { mode: "listen" })).status, 401);
    const denied = (await audit()).filter((a) => a.actor === "1005");
    assert.deepEqual(denied.map((a) => [a.action, a.via, a.outcome]), [["listen", "feature-code", "denied"], ["listen", "api", "denied"]]);
  });

  test("listen, whisper and barge: what caller, agent and supervisor each hear", async () => {
    const phases = [
      { mode: "listen", how: "*51" },
      { mode: "whisper", how: "*52" },
      { mode: "barge", how: "api" },
    ] as const;
    for (const k of Object.keys(seen) as (keyof typeof seen)[]) newDecodedFiles(rec[k], seen[k]);
    const results: Record<string, { caller: ReturnType<typeof heard>; agent: ReturnType<typeof heard>; supervisor: ReturnType<typeof heard> }> = {};
    for (const phase of phases) {
      const [fromCaller, fromAgent, fromSup] = [caller.events.length, agent.events.length, sup.events.length];
      const call = await queueCall();
      if (phase.how === "api") {
        const r = await post("/api/agents/1002/monitor", basic("1003"), { mode: phase.mode });
        assert.equal(r.status, 202, await r.text());
      } else {
        await sup.command("dial", `sip:${phase.how}1002@hotline.test`);
      }
      await sup.waitForEvent((e) => e.type === "CALL_ESTABLISHED", 10_000, fromSup);
      // Audio accumulates in the three recordings while the supervisor is in the room.
      await sleep(3000);
      const fromSupClose = sup.events.length;
      await sup.command("hangup");
      await closed(sup, fromSupClose);
      // The caller and agent talk on, bridged again, after the supervisor left.
      await waitFor(async () => (await liveCalls()).some((c) => c.id === call.id && c.state === "connected"), 3000, () => "agent call gone");
      await endQueueCall(fromCaller, fromAgent);
      await sleep(300); // sndfile closes the files when the call's audio stops
      const files = { caller: newDecodedFiles(rec.caller, seen.caller), agent: newDecodedFiles(rec.agent, seen.agent), supervisor: newDecodedFiles(rec.supervisor, seen.supervisor) };
      for (const [k, f] of Object.entries(files)) assert.equal(f.length, 1, `${phase.mode}: one recording of ${k}'s call: ${f.join(", ")}`);
      results[phase.mode] = { caller: heard(files.caller[0]!), agent: heard(files.agent[0]!), supervisor: heard(files.supervisor[0]!) };
    }
    const show = JSON.stringify(results);
    for (const phase of phases) {
      const r = results[phase.mode]!;
      // Everybody always hears the other party of the call; the supervisor hears both.
      assert.ok(r.caller.agent.clear >= 10, `${phase.mode}: the caller hears the agent ${show}`);
      assert.ok(r.agent.caller.clear >= 10, `${phase.mode}: the agent hears the caller ${show}`);
      assert.ok(r.supervisor.caller.clear >= 5 && r.supervisor.agent.clear >= 5, `${phase.mode}: the supervisor hears caller and agent ${show}`);
      // Nobody hears their own tone back.
      assert.equal(r.caller.caller.any, 0, `${phase.mode}: no echo to the caller ${show}`);
      assert.equal(r.agent.agent.any, 0, `${phase.mode}: no echo to the agent ${show}`);
      assert.equal(r.supervisor.supervisor.any, 0, `${phase.mode}: no echo to the supervisor ${show}`);
    }
    // listen: the supervisor is heard by nobody.
    assert.equal(results["listen"]!.caller.supervisor.any, 0, `listen: the caller does not hear the supervisor ${show}`);
    assert.equal(results["listen"]!.agent.supervisor.any, 0, `listen: the agent does not hear the supervisor ${show}`);
    // whisper: the agent hears the supervisor, the caller does not.
    assert.ok(results["whisper"]!.agent.supervisor.clear >= 5, `whisper: the agent hears the supervisor ${show}`);
    assert.equal(results["whisper"]!.caller.supervisor.any, 0, `whisper: the caller does not hear the supervisor ${show}`);
    // barge: both hear the supervisor.
    assert.ok(results["barge"]!.agent.supervisor.clear >= 5, `barge: the agent hears the supervisor ${show}`);
    assert.ok(results["barge"]!.caller.supervisor.clear >= 5, `barge: the caller hears the supervisor ${show}`);
    const done = (await audit()).filter((a) => a.actor === "1003" && a.outcome === "done").map((a) => [a.action, a.via]);
    assert.deepEqual(done, [["listen", "feature-code"], ["whisper", "feature-code"], ["barge", "api"]]);
  });

  test("DTMF while monitoring (RFC 4733 from the supervisor's phone): *51 listen, then 6 barge, then 5 whisper", async () => {
    for (const k of Object.keys(seen) as (keyof typeof seen)[]) newDecodedFiles(rec[k], seen[k]);
    const [fromCaller, fromAgent, fromSup] = [caller.events.length, agent.events.length, sup.events.length];
    const auditCount = (await audit()).length;
    /** Waits for the supervisor.action entry of `mode` (by `via`) written after this test started. */
    const audited = (mode: string, via: string) =>
      waitFor(async () => (await audit()).slice(auditCount).some((a) => a.actor === "1003" && a.action === mode && a.via === via && a.outcome === "done"), 5000, () => `no ${mode} by ${via} in the audit log`);
    await queueCall();
    await sup.command("dial", "sip:*511002@hotline.test");
    await sup.waitForEvent((e) => e.type === "CALL_ESTABLISHED", 10_000, fromSup);
    await audited("listen", "feature-code");
    await sleep(2000);
    await sup.command("sndcode", "6");
    await audited("barge", "dtmf");
    await sleep(2000);
    await sup.command("sndcode", "5");
    await audited("whisper", "dtmf");
    await sleep(2000);
    // The caller hangs up: the agent's call ends and with it the supervisor's.
    await endQueueCall(fromCaller, fromAgent);
    await closed(sup, fromSup);
    await sleep(300); // sndfile closes the files when the call's audio stops
    const files = { caller: newDecodedFiles(rec.caller, seen.caller), agent: newDecodedFiles(rec.agent, seen.agent) };
    for (const [k, f] of Object.entries(files)) assert.equal(f.length, 1, `one recording of ${k}'s call: ${f.join(", ")}`);
    // Per 100 ms window of each recording: was the supervisor's tone there at all? As runs.
    const supIndex = (Object.keys(FREQ) as (keyof typeof FREQ)[]).indexOf("supervisor");
    const runsOf = (path: string): { heard: boolean; windows: number }[] => {
      const runs: { heard: boolean; windows: number }[] = [];
      for (const w of toneShares(readWav(path), Object.values(FREQ))) {
        const heardSup = (w[supIndex] ?? 0) > 0.12;
        const last = runs.at(-1);
        if (last !== undefined && last.heard === heardSup) last.windows++;
        else runs.push({ heard: heardSup, windows: 1 });
      }
      return runs;
    };
    const callerRuns = runsOf(files.caller[0]!);
    const agentRuns = runsOf(files.agent[0]!);
    const show = JSON.stringify({ callerRuns, agentRuns });
    // The caller: not before the supervisor came in, nor in listen; then in barge; not in whisper.
    assert.deepEqual(callerRuns.map((r) => r.heard), [false, true, false], `caller: silent supervisor, barge, whisper ${show}`);
    assert.ok(callerRuns[0]!.windows >= 15 && callerRuns[1]!.windows >= 10 && callerRuns[2]!.windows >= 10, `caller: each phase lasted ${show}`);
    // The agent: not in listen; from the "6" on (barge, then whisper) all the time.
    assert.deepEqual(agentRuns.map((r) => r.heard), [false, true], `agent: silent supervisor, then barge and whisper ${show}`);
    assert.ok(agentRuns[0]!.windows >= 15 && agentRuns[1]!.windows >= 25, `agent: each phase lasted ${show}`);
    const modes = (await audit()).slice(auditCount).filter((a) => a.actor === "1003").map((a) => [a.action, a.via, a.outcome]);
    assert.deepEqual(modes, [["listen", "feature-code", "done"], ["barge", "dtmf", "done"], ["whisper", "dtmf", "done"]]);
  });

  test("take over (*54): the agent's phone gets BYE, the caller talks to the supervisor; force hangup (API) ends both sides", async () => {
    const fromSup = sup.events.length;
    let [fromCaller, fromAgent] = [caller.events.length, agent.events.length];
    const call = await queueCall();
    await sup.command("dial", "sip:*541002@hotline.test");
    await sup.waitForEvent((e) => e.type === "CALL_ESTABLISHED", 10_000, fromSup);
    await closed(agent, fromAgent);
    await waitFor(async () => (await liveCalls()).some((c) => c.id === call.id && c.connectedTo === "1003"), 5000, () => "caller not connected to the supervisor");
    const journal = await h.api<{ events: { type: string; data: Record<string, unknown> }[] }>(`/api/journal?callId=${call.id}`);
    assert.ok(journal.events.some((e) => e.type === "call.taken-over" && e.data["supervisor"] === "1003" && e.data["agent"] === "1002"));
    const supClosed = sup.events.length;
    await sup.command("hangup");
    await closed(sup, supClosed);
    await closed(caller, fromCaller);
    await waitFor(async () => (await liveCalls()).length === 0, 5000, () => "calls left over");

    [fromCaller, fromAgent] = [caller.events.length, agent.events.length];
    const second = await queueCall();
    const idle = await post("/api/agents/1002/hangup", basic("1005"));
    assert.equal(idle.status, 403);
    const r = await post("/api/agents/1002/hangup", basic("1003"));
    assert.deepEqual([r.status, await r.json()], [200, { agent: "1002", action: "hangup", supervisor: "1003", callId: second.id }]);
    const ev: BaresipEvent[] = [await closed(caller, fromCaller), await closed(agent, fromAgent)];
    assert.equal(ev.length, 2);
    await waitFor(async () => (await liveCalls()).length === 0, 5000, () => "calls left over");
    const notInCall = await post("/api/agents/1002/hangup", basic("1003"));
    assert.equal(notInCall.status, 409);
    const actions = (await audit()).filter((a) => a.actor === "1003").slice(-3).map((a) => [a.action, a.via, a.outcome]);
    assert.deepEqual(actions, [["take-over", "feature-code", "done"], ["hangup", "api", "done"], ["hangup", "api", "failed"]]);
  });

  test("the agent's direct (non-queue) call is not the supervisor's: 409 on the API, 480 on *51, audited as failed; the call goes on", async () => {
    const [fromCaller, fromAgent, fromSup] = [caller.events.length, agent.events.length, sup.events.length];
    await caller.command("dial", "sip:1002@hotline.test");
    await agent.waitForEvent((e) => e.type === "CALL_ESTABLISHED", 10_000, fromAgent);
    let direct: LiveCall | undefined;
    await waitFor(async () => (direct = (await liveCalls()).find((c) => c.dialed === "1002" && c.state === "connected")) !== undefined, 5000, () => "direct call not connected");
    const auditCount = (await audit()).length;
    const api = await post("/api/agents/1002/monitor", basic("1003"), { mode: "listen" });
    assert.deepEqual([api.status, await api.json()], [409, { error: "monitor of agent 1002 by 1003: agent 1002 is not in a queue call" }]);
    const hangup = await post("/api/agents/1002/hangup", basic("1003"));
    assert.equal(hangup.status, 409);
    await sup.command("dial", "sip:*511002@hotline.test");
    const ev = await closed(sup, fromSup);
    assert.match(String(ev.param ?? ""), /480/, JSON.stringify(ev));
    const entries = (await audit()).slice(auditCount).map((a) => [a.actor, a.action, a.via, a.outcome, a.reason, a.queues]);
    assert.deepEqual(entries, [
      ["1003", "listen", "api", "failed", "agent 1002 is not in a queue call", ["7000"]],
      ["1003", "hangup", "api", "failed", "agent 1002 is not in a queue call", ["7000"]],
      ["1003", "listen", "feature-code", "failed", "agent 1002 is not in a queue call", ["7000"]],
    ]);
    // Nothing happened to the direct call: still connected, nobody else in it.
    const still = (await liveCalls()).find((c) => c.id === direct!.id);
    assert.equal(still?.state, "connected");
    assert.equal(sup.events.slice(fromSup).some((e) => e.type === "CALL_ESTABLISHED"), false, "the supervisor never joined");
    await endQueueCall(fromCaller, fromAgent);
  });

  test("forced status over the API and by feature code shows in GET /api/queues", async () => {
    const forced = await putAgentStatus(h, "1002", { status: "on-break" }, basic("1003"));
    assert.deepEqual([forced.status, await forced.json()], [200, { agent: "1002", status: "on-break", forcedBy: "1003" }]);
    assert.equal(await agentStatus(), "on-break");
    const notAllowed = await putAgentStatus(h, "1002", { status: "available" }, basic("1005"));
    assert.equal(notAllowed.status, 403);
    assert.equal(await agentStatus(), "on-break");
    for (const [code, expected] of [["*56", "available"], ["*58", "logged-out"]] as const) {
      const from = sup.events.length;
      await sup.command("dial", `sip:${code}1002@hotline.test`);
      await sup.waitForEvent((e) => e.type === "CALL_ESTABLISHED", 10_000, from);
      await closed(sup, from); // hotline hangs up after the confirmation tone
      assert.equal(await agentStatus(), expected, `${code}`);
    }
    const last = (await audit()).slice(-4).map((a) => [a.actor, a.action, a.via, a.outcome]);
    assert.deepEqual(last, [["1003", "force-break", "api", "done"], ["1005", "force-available", "api", "denied"], ["1003", "force-available", "feature-code", "done"], ["1003", "force-logout", "feature-code", "done"]]);
  });
});
