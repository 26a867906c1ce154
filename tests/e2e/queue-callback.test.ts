// Queue announcements and "press 1 for a callback" (issue 4) with real phones on 127.0.0.1:
// baresip callers (RFC 4733 digits with `sndcode`, auto-answer for the callback, the sndfile
// module recording what they hear) and SIPp agents (their message log shows the order and the
// screen-pop header of each offer; -rtp_echo sends the audio back).
// 1. announcements: the recording of a waiting caller cross-correlates with the prompt files
//    that make up "you are caller number …", and not with a prompt that was never played;
// 2. a callback keeps its place: A presses 1 and is released, B joins later; the free agent is
//    offered A's callback first (From 2001, callback=1), A is dialled, answers and talks with the
//    agent (RTP both ways), then B is served;
// 3. a callback survives a restart of hotline (same data directory);
// 4. a callback number that answers 486 is retried after retrySeconds and dropped after
//    maxAttempts; the agent is freed each time.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { at8kHz, bestCorrelation, readWav, toneWindows } from "./audio.ts";
import { startBaresip, type Baresip } from "./baresip.ts";
import { journal as readJournal, liveCalls as readLiveCalls, removeDir, ROOT, runSipp, startHotline, waitFor, type Hotline, type StartOptions, type JournalEvent, type LiveCall, type SippResult, sippMediaPort } from "./harness.ts";
import { queueHotlineOptions, queueUsers, registerAgent as registerSippAgent, restartHotline, setAgentStatus, show as showSipp } from "./queue-helpers.ts";

const PW = (u: string): string => `e2e-secret-${u}`;
const AGENTS = ["1001", "1002", "1003"];
const CALLERS = ["2001", "2002", "2003", "2004", "2005", "2006"];
const USERS = queueUsers([...AGENTS, ...CALLERS], PW);
/** Caller A's sine source (Hz). */
const TONE = 1900;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** SIPp failure evidence: the agent phones' message logs hold several calls, so a longer tail. */
const show = (r: SippResult): string => showSipp(r, 6000);

// ---- audio ---------------------------------------------------------------------------------

/** Half a second of a prompt from where its speech starts (espeak leaves some silence first). */
function promptTemplate(name: string): Float32Array {
  const p = at8kHz(readWav(join(ROOT, "assets/prompts/en", `${name}.wav`)));
  const start = Math.max(0, p.findIndex((x) => Math.abs(x) > 0.02));
  return p.subarray(start, start + 4000);
}

function decodedFiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith("-dec.wav"))
    .sort()
    .map((f) => join(dir, f));
}

// ---- hotline views ---------------------------------------------------------------------------

interface WaitingCall {
  callId: string;
  caller: string;
  position: number;
  callback: boolean;
}
interface QueuesView {
  queues: { queue: string; waitingCalls: WaitingCall[] }[];
  agents: { agent: string; state: string; status: { kind: string; reason?: string } }[];
}

describe("queue announcements and callbacks with baresip callers and SIPp agents", () => {
  let h: Hotline;
  let opts: StartOptions;
  const agentPort = new Map<string, number>();
  const phones: Baresip[] = [];
  const dirs: string[] = [];

  const liveCalls = (): Promise<LiveCall[]> => readLiveCalls(h);
  const journal = (q: string): Promise<JournalEvent[]> => readJournal(h, `limit=1000&${q}`);
  const queues = (): Promise<QueuesView> => h.api<QueuesView>("/api/queues");
  const waitingIn = async (queue: string): Promise<WaitingCall[]> => (await queues()).queues.find((q) => q.queue === queue)?.waitingCalls ?? [];
  const setStatus = (agent: string, status: string): Promise<void> => setAgentStatus(h, agent, status);
  const registerAgent = async (agent: string): Promise<void> => {
    agentPort.set(agent, await registerSippAgent(h, agent, agentPort.get(agent), PW));
  };
  /** A SIPp agent phone that answers `calls` offers one after the other, echoing the audio back. */
  const agentPhone = async (agent: string, calls: number, timeoutSeconds: number): Promise<SippResult> =>
    runSipp({ scenario: "uas-answer-expect-bye.xml", port: h.sipPort, localPort: agentPort.get(agent)!, calls, extra: ["-mp", String(await sippMediaPort()), "-rtp_echo"], timeoutSeconds });
  const phone = async (u: string, o: { auto?: boolean; record?: boolean; frequency?: number } = {}): Promise<{ p: Baresip; dir: string | null }> => {
    const dir = o.record === true ? mkdtempSync(join(tmpdir(), `hotline-e2e-rec-${u}-`)) : null;
    if (dir !== null) dirs.push(dir);
    const p = await startBaresip({ username: u, password: PW(u), registrarPort: h.sipPort, accountParams: o.auto === true ? ["answermode=auto"] : [], lifetimeSeconds: 150, ...(dir !== null && { recordDir: dir }), ...(o.frequency !== undefined && { audioFrequency: o.frequency }) });
    phones.push(p);
    await waitFor(async () => (await h.api<{ registrations: { aor: string }[] }>("/api/registrations")).registrations.some((r) => r.aor.includes(`${u}@`)), 10_000, () => `${u} did not register`);
    return { p, dir };
  };
  /** The caller's live queue call (the one it dialled). */
  const callOf = async (caller: string, dialed: string): Promise<LiveCall> => {
    let c: LiveCall | undefined;
    await waitFor(async () => (c = (await liveCalls()).find((x) => x.caller === caller && x.dialed === dialed)) !== undefined, 5000, () => `no live call ${caller} → ${dialed}`);
    return c!;
  };
  /** Journal events of `type` of the queue call `callId`, or of the callback calls made for it (data.requestCallId). */
  const eventOf = async (type: string, callId: string, timeoutMs = 8000): Promise<JournalEvent[]> => {
    let found: JournalEvent[] = [];
    await waitFor(async () => (found = (await journal(`type=${type}`)).filter((e) => e.callId === callId || e.data["requestCallId"] === callId)).length > 0, timeoutMs, () => `no ${type} for ${callId}`);
    return found;
  };
  /** Dials a queue from baresip, waits until hotline answers, then presses the callback digit after the offer was played. */
  const requestCallback = async (p: Baresip, caller: string, queue: string, announcement: string): Promise<string> => {
    const from = p.events.length;
    await p.command("dial", `sip:${queue}@hotline.test`);
    await p.waitForEvent((e) => e.type === "CALL_ESTABLISHED", 10_000, from);
    const call = await callOf(caller, queue);
    await eventOf("queue.announcement", call.id);
    // The announcement (ending with the offer) plays for a few seconds; the digit may come at any time.
    await sleep(announcement === "position" ? 2500 : 1500);
    await p.command("sndcode", "1");
    await eventOf("queue.callback-requested", call.id);
    // hotline thanks the caller and releases its line.
    await p.waitForEvent((e) => e.type === "CALL_CLOSED", 15_000, from);
    return call.id;
  };

  before(async () => {
    const cb = (extra: string): string => `{ enabled: true, ringSeconds: 10${extra} }`;
    opts = await queueHotlineOptions({
      users: USERS,
      media: { portMin: 34000, portMax: 34999 },
      queues: [
        // Announcements only (callback off): a position announcement 1 s after joining, then every 4 s.
        '  "7001": { strategy: linear, members: { "1002": 1 }, wrapUpSeconds: 0, announce: { language: en, firstAfterSeconds: 1, positionEverySeconds: 4 } }',
        // Callback keeps the caller's place.
        `  "7000": { strategy: linear, members: { "1001": 1 }, wrapUpSeconds: 0, ringSeconds: 10, announce: { language: en, firstAfterSeconds: 1, positionEverySeconds: 30 }, callback: ${cb("")} }`,
        // Restart: the offer alone, once after 1 s.
        `  "7002": { strategy: linear, members: { "1002": 1 }, wrapUpSeconds: 0, announce: { language: en, firstAfterSeconds: 1, positionEverySeconds: null }, callback: ${cb("")} }`,
        // Retry and drop: two attempts 10 s apart.
        `  "7003": { strategy: linear, members: { "1003": 1 }, wrapUpSeconds: 0, announce: { language: en, firstAfterSeconds: 1, positionEverySeconds: null }, callback: ${cb(", maxAttempts: 2, retrySeconds: 10")} }`,
      ],
    });
    h = await startHotline(opts);
    for (const a of AGENTS) {
      await registerAgent(a);
      await setStatus(a, "logged-in");
    }
    // 1002 and 1003 are logged in but on break: their callers wait (a queue with nobody logged in refuses).
    await setStatus("1002", "on-break");
    await setStatus("1003", "on-break");
    await waitFor(async () => (await queues()).agents.filter((a) => a.status.kind !== "logged-out").length === 3, 8000, () => "agents not logged in");
  });
  after(async () => {
    for (const p of phones) await p.stop(2000);
    await h.stop();
    removeDir(h.dataDir);
    for (const d of dirs) removeDir(d);
  });

  test("announcements: the waiting caller hears the position prompts, not only music", async (t) => {
    const { p, dir } = await phone("2004", { record: true });
    const from = p.events.length;
    await p.command("dial", "sip:7001@hotline.test");
    await p.waitForEvent((e) => e.type === "CALL_ESTABLISHED", 10_000, from);
    const call = await callOf("2004", "7001");
    const said = await eventOf("queue.announcement", call.id);
    assert.deepEqual(said[0]?.data, { queue: "7001", kind: "position", position: 1 });
    // "You are caller number one in the queue, your estimated wait is …" lasts about 6 s.
    await sleep(7000);
    await p.command("hangup");
    await p.waitForEvent((e) => e.type === "CALL_CLOSED", 5000, from);
    const [rec] = decodedFiles(dir!);
    assert.ok(rec !== undefined, "baresip recorded nothing");
    const heard = at8kHz(readWav(rec));
    const played = ["caller-number", "in-queue", "estimated-wait"].map((n) => bestCorrelation(heard, promptTemplate(n)));
    // Never played here (callback is off on 7001): how alike unrelated speech looks to the detector.
    const notPlayed = bestCorrelation(heard, promptTemplate("callback-thanks"));
    const detail = `played ${played.map((x) => x.toFixed(2)).join(", ")}; not played ${notPlayed.toFixed(2)}`;
    t.diagnostic(detail);
    for (const c of played) assert.ok(c > 0.8, detail);
    assert.ok(notPlayed < 0.5, detail);
  });

  test("a callback keeps its place: A (first) presses 1, B joins later; the agent gets A's callback, then B", async (t) => {
    const agent = agentPhone("1001", 3, 70);
    const { p: c } = await phone("2003");
    // A sends a 1900 Hz tone (no note of the music on hold, nor its second harmonic, is near it).
    const { p: a, dir: aDir } = await phone("2001", { auto: true, record: true, frequency: TONE });
    const { p: b } = await phone("2002");
    // C keeps the agent busy with a queue call.
    await c.command("dial", "sip:7000@hotline.test");
    await waitFor(async () => (await liveCalls()).some((x) => x.caller === "2003" && x.answeredBy === "1001" && x.state === "connected"), 10_000, () => "agent did not answer C");
    // A waits first, hears its position and the offer, presses 1: hotline thanks and hangs up.
    const aId = await requestCallback(a, "2001", "7000", "position");
    // B joins after A and waits behind A's callback entry.
    const fromB = b.events.length;
    await b.command("dial", "sip:7000@hotline.test");
    await b.waitForEvent((e) => e.type === "CALL_ESTABLISHED", 10_000, fromB);
    const bCall = await callOf("2002", "7000");
    const waiting = await waitingIn("7000");
    assert.deepEqual(waiting.map((w) => [w.caller, w.position, w.callback]), [["2001", 1, true], ["2002", 2, false]]);
    // The agent becomes free: A's callback is offered first; the agent answers and A is dialled.
    const fromA = a.events.length;
    await c.command("hangup");
    await a.waitForEvent((e) => e.type === "CALL_ESTABLISHED", 15_000, fromA);
    await eventOf("queue.callback-done", aId);
    // Audio both ways between the agent (SIPp echo) and A, after A's greeting.
    let cbCall: LiveCall | undefined;
    await waitFor(async () => {
      cbCall = (await liveCalls()).find((x) => x.legs.some((l) => l.party === "2001"));
      return cbCall !== undefined && cbCall.legs.every((l) => (l.media?.packetsIn ?? 0) > 100 && (l.media?.packetsOut ?? 0) > 100);
    }, 15_000, () => `no audio both ways on the callback call: ${JSON.stringify(cbCall)}`);
    assert.deepEqual(cbCall!.legs.map((l) => l.party).sort(), ["1001", "2001"]);
    // A hears its own tone echoed by the agent's phone: A → hotline → agent → hotline → A.
    let echoed = 0;
    await waitFor(() => {
      const rec = decodedFiles(aDir!)[1];
      echoed = rec === undefined ? 0 : toneWindows(readWav(rec), TONE);
      return echoed >= 10;
    }, 15_000, () => `A does not hear the agent's side (${echoed} windows with its echoed tone)`);
    t.diagnostic(`A's echoed tone in ${echoed} windows of 100 ms`);
    // B is still waiting while the agent talks to A.
    assert.deepEqual((await waitingIn("7000")).map((w) => w.caller), ["2002"]);
    await a.command("hangup");
    // Then B is served by the same agent.
    await waitFor(async () => (await liveCalls()).some((x) => x.id === bCall.id && x.answeredBy === "1001" && x.state === "connected"), 15_000, () => "B was not served");
    await b.command("hangup");
    const r = await agent;
    assert.equal(r.code, 0, show(r));
    // The agent's phone saw C, then A's callback (From 2001, callback=1), then B.
    const invites = r.messages.split(/\n(?=-{5,}|\S+ \S+ \d+:\d+:\d+)/).filter((m) => /^INVITE sip:/m.test(m));
    const offers = invites.map((m) => ({ from: /^From:.*<sip:(\d+)@/m.exec(m)?.[1], pop: /^X-Hotline-Queue:\s*(.*)$/m.exec(m)?.[1]?.trim() }));
    // Retransmissions of one INVITE would repeat an offer: keep each change of caller.
    const order = offers.filter((o, i) => i === 0 || o.from !== offers[i - 1]?.from);
    assert.deepEqual(order.map((o) => o.from), ["2003", "2001", "2002"], JSON.stringify(offers));
    assert.match(order[1]?.pop ?? "", /^7000;waited=\d+;callback=1$/);
    assert.match(order[2]?.pop ?? "", /^7000;waited=\d+$/);
    // The journal tells the same story.
    const types = (await journal(`callId=${encodeURIComponent(aId)}`)).map((e) => e.type);
    for (const t of ["queue.joined", "queue.announcement", "queue.callback-requested"]) assert.ok(types.includes(t), `${t} in ${types.join(", ")}`);
    const dialled = await eventOf("queue.callback-dialled", aId);
    assert.deepEqual(dialled.map((e) => [e.data["number"], e.data["attempt"]]), [["2001", 1]]);
    // B was offered only after A's callback had been dialled.
    const bOffers = await eventOf("queue.offer", bCall.id);
    assert.deepEqual(bOffers.map((e) => e.data["agents"]), [["1001"]]);
    assert.ok(bOffers[0]!.seq > dialled[0]!.seq, JSON.stringify({ bOffers, dialled }));
    assert.deepEqual(await waitingIn("7000"), []);
    // A heard the thank-you on its first call.
    const [first] = decodedFiles(aDir!);
    assert.ok(first !== undefined);
    const waitWav = readWav(first);
    const waitAudio = at8kHz(waitWav);
    const thanks = bestCorrelation(waitAudio, promptTemplate("callback-thanks"));
    t.diagnostic(`callback-thanks correlation ${thanks.toFixed(2)}`);
    assert.ok(thanks > 0.8, `callback-thanks correlation ${thanks.toFixed(2)}`);
    // While queued nobody sent A's tone back (the control for the echo check above).
    assert.ok(toneWindows(waitWav, TONE) < 3, `A's tone heard while queued: ${toneWindows(waitWav, TONE)} windows`);
  });

  test("a callback survives a restart of hotline and is dialled once an agent is free", async () => {
    const { p } = await phone("2005", { auto: true });
    const id = await requestCallback(p, "2005", "7002", "offer");
    assert.deepEqual((await waitingIn("7002")).map((w) => [w.caller, w.callback]), [["2005", true]]);
    h = await restartHotline(h, opts);
    assert.deepEqual((await waitingIn("7002")).map((w) => [w.caller, w.callback]), [["2005", true]]);
    const agent = agentPhone("1002", 1, 30);
    const from = p.events.length;
    await setStatus("1002", "available");
    await p.waitForEvent((e) => e.type === "CALL_ESTABLISHED", 15_000, from);
    await eventOf("queue.callback-done", id);
    await p.command("hangup");
    const r = await agent;
    assert.equal(r.code, 0, show(r));
    assert.match(r.messages, /^X-Hotline-Queue:\s*7002;waited=\d+;callback=1/m);
    assert.deepEqual(await waitingIn("7002"), []);
  });

  test("a callback number that answers 486 is retried after retrySeconds, then dropped; the agent is freed", async () => {
    const { p } = await phone("2006");
    const id = await requestCallback(p, "2006", "7003", "offer");
    // The citizen's number is now a phone that is always busy.
    await p.stop(3000);
    phones.splice(phones.indexOf(p), 1);
    const busyPort = await registerSippAgent(h, "2006", undefined, PW);
    const busy = runSipp({ scenario: "uas-reject-486.xml", port: h.sipPort, localPort: busyPort, calls: 2, timeoutSeconds: 40 });
    const agent = agentPhone("1003", 2, 40);
    await setStatus("1003", "available");
    await eventOf("queue.callback-failed", id, 10_000);
    // Retried, not before retrySeconds: the entry waits in its place meanwhile.
    assert.deepEqual((await waitingIn("7003")).map((w) => [w.caller, w.callback]), [["2006", true]]);
    await eventOf("queue.callback-dropped", id, 25_000);
    const fails = await eventOf("queue.callback-failed", id);
    assert.deepEqual(fails.map((e) => e.data["attempt"]), [1, 2], JSON.stringify(fails));
    const dialled = await eventOf("queue.callback-dialled", id);
    assert.deepEqual(dialled.map((e) => e.data["attempt"]), [1, 2], JSON.stringify(dialled));
    // The second attempt waited out retrySeconds (10) after the first failed.
    assert.ok(dialled[1]!.at - fails[0]!.at >= 10_000, JSON.stringify({ dialled, fails }));
    assert.deepEqual(await waitingIn("7003"), []);
    const [r, bz] = await Promise.all([agent, busy]);
    assert.equal(r.code, 0, show(r));
    assert.equal(bz.code, 0, show(bz));
    await waitFor(async () => {
      const ag = (await queues()).agents.find((x) => x.agent === "1003");
      return ag?.state === "idle" && ag.status.kind === "available";
    }, 5000, () => "agent 1003 not freed");
  });
});
