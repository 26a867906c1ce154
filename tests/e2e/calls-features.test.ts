// PBX call features through hotline between real SIPp phones on 127.0.0.1: the caller's
// CANCEL, hold by re-INVITE with music on hold, blind transfer by REFER (RFC 3515), park by
// transfer to the park code and retrieval from the slot, group pickup, and early media with
// reliable provisionals (RFC 3262). Callees register with digest (SIPp REGISTER scenario) and
// then answer as SIPp UAS on the same port; callers are SIPp UACs (calls.authenticateInvites
// is false: SIPp 3.6.1 hashes the wrong digest uri for INVITE, so caller auth is covered by
// the baresip test). Each test uses its own callee extensions, so no stale binding rings.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { freePort, injectionFile, liveCalls, runSipp, startHotline, waitFor, type Hotline, type LiveCall, type SippResult, sippMediaPort } from "./harness.ts";

const EXTENSIONS = ["1001", "1002", "1003", "1004", "1010", "1011", "1012", "1013", "1014", "1015", "1016", "1017"];
const USERS = EXTENSIONS.map((u) => ({ username: u, password: `pw-${u}-secret` }));
const creds = (u: string): string => injectionFile([[u, `pw-${u}-secret`]]);

interface Cdr {
  caller: string;
  dialed: string;
  disposition: string;
  answeredBy: string | null;
  sipStatus: number | null;
  hangupBy: string | null;
}

interface MissedCall {
  caller: string;
  dialed: string;
  reason: string;
}

function show(r: SippResult): string {
  return `exit ${r.code}\n${r.stderr.slice(-1500)}\n${r.messages.slice(-6000)}`;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls /api/calls (every 50 ms, at most `ms`) until `pick` finds a call. */
async function waitForCall(h: Hotline, what: string, pick: (c: LiveCall) => boolean, ms = 8000): Promise<LiveCall> {
  let found: LiveCall | undefined;
  let last: LiveCall[] = [];
  const end = Date.now() + ms;
  while (Date.now() < end) {
    last = await liveCalls(h);
    found = last.find(pick);
    if (found !== undefined) return found;
    await sleep(50);
  }
  throw new Error(`${what}: not seen in /api/calls within ${ms} ms; last: ${JSON.stringify(last)}`);
}

async function cdrFor(h: Hotline, caller: string, dialed: string): Promise<Cdr> {
  let cdr: Cdr | undefined;
  await waitFor(
    async () => (cdr = (await h.api<{ cdrs: Cdr[] }>("/api/cdrs?limit=50")).cdrs.find((c) => c.caller === caller && c.dialed === dialed)) !== undefined,
    5000,
    () => `no CDR for ${caller} → ${dialed}`,
  );
  return cdr!;
}

/** Registers `user` from 127.0.0.1:port (a SIPp UAS then answers on that port). */
async function registerAt(h: Hotline, user: string, port: number): Promise<void> {
  const r = await runSipp({ scenario: "uac-register-digest-expect-200.xml", port: h.sipPort, localPort: port, injection: creds(user), keys: { hexp: "300" } });
  assert.equal(r.code, 0, show(r));
}

/** A SIPp run going on in the background (wrapped: an async function would wait for a returned promise). */
interface Running {
  done: Promise<SippResult>;
}

/** A registered SIPp UAS for `user` running `scenario` once (in the background). */
async function phone(h: Hotline, user: string, scenario: string, opts: { keys?: Record<string, string>; echo?: boolean } = {}): Promise<Running> {
  const port = await freePort();
  await registerAt(h, user, port);
  const extra = ["-mp", String(await sippMediaPort()), ...(opts.echo === true ? ["-rtp_echo"] : [])];
  return { done: runSipp({ scenario, port: h.sipPort, localPort: port, extra, timeoutSeconds: 20, ...(opts.keys !== undefined && { keys: opts.keys }) }) };
}

/** A SIPp UAC for `from` dialling `to` (its own media port, so two callers can run at once). */
async function dial(h: Hotline, from: string, to: string, scenario: string, pauseMs = 1000): Promise<Running> {
  const mp = await sippMediaPort();
  return { done: runSipp({ scenario, port: h.sipPort, injection: creds(from), extra: ["-s", to, "-d", String(pauseMs), "-mp", String(mp)], timeoutSeconds: 20 }) };
}

async function expectSuccess(name: string, run: Running): Promise<void> {
  const r = await run.done;
  assert.equal(r.code, 0, `${name}: ${show(r)}`);
}

describe("PBX call features between SIPp phones through hotline", () => {
  let h: Hotline;
  before(async () => {
    h = await startHotline({
      users: USERS,
      extraYaml: [
        "calls: { authenticateInvites: false, ringSeconds: 8, media: { portMin: 44000, portMax: 44999 } }",
        "extensions:",
        '  "1001": { pickupGroup: front }',
        '  "1004": { pickupGroup: front }',
      ].join("\n"),
    });
  });
  after(async () => {
    await h.stop();
  });

  test("caller CANCEL while it rings: 200 + 487, the callee is CANCELled, CDR 'cancelled', missed call 'abandoned'", async () => {
    const callee = await phone(h, "1010", "uas-ring-expect-cancel.xml");
    const caller = await dial(h, "1001", "1010", "uac-call-cancel-after-180-expect-487.xml");
    await expectSuccess("callee 1010", callee);
    await expectSuccess("caller 1001 (CANCEL)", caller);
    const cdr = await cdrFor(h, "1001", "1010");
    assert.deepEqual(
      { disposition: cdr.disposition, answeredBy: cdr.answeredBy, sipStatus: cdr.sipStatus, hangupBy: cdr.hangupBy },
      { disposition: "cancelled", answeredBy: null, sipStatus: 487, hangupBy: "caller" },
    );
    const missed = (await h.api<{ missedCalls: MissedCall[] }>("/api/missed-calls?pending=1")).missedCalls;
    assert.deepEqual(
      missed.filter((m) => m.dialed === "1010").map((m) => ({ caller: m.caller, reason: m.reason })),
      [{ caller: "1001", reason: "abandoned" }],
    );
  });

  test("caller CANCEL before the callee answered at all: hotline holds its CANCEL until the callee's 180 (RFC 3261 §9.1)", async () => {
    // 1015 stays silent for 1 s after the INVITE; the caller cancels 200 ms after 100 Trying.
    const callee = await phone(h, "1015", "uas-slow-180-expect-cancel-after-it.xml");
    const caller = await dial(h, "1001", "1015", "uac-call-cancel-after-100-expect-487.xml");
    await expectSuccess("caller 1001 (CANCEL after 100)", caller);
    await expectSuccess("slow callee 1015", callee);
    const cdr = await cdrFor(h, "1001", "1015");
    assert.deepEqual({ disposition: cdr.disposition, sipStatus: cdr.sipStatus }, { disposition: "cancelled", sipStatus: 487 });
  });

  test("hold by re-INVITE a=sendonly: 200 a=recvonly, the leg shows onHold, the callee gets music; a=sendrecv resumes", async () => {
    const callee = await phone(h, "1011", "uas-answer-expect-bye.xml", { echo: true });
    // On hold for 2.5 s (-d); the caller sends no RTP, so all the callee gets is music.
    const caller = await dial(h, "1001", "1011", "uac-call-hold-expect-recvonly-then-resume.xml", 2500);
    const isCall = (c: LiveCall): boolean => c.caller === "1001" && c.dialed === "1011";
    const calleeOut = (c: LiveCall): number => c.legs.find((l) => l.party === "1011")?.media?.packetsOut ?? -1;
    const answered = await waitForCall(h, "call answered", (c) => isCall(c) && c.state === "connected");
    assert.equal(calleeOut(answered), 0, "nothing is sent to the callee before the hold");
    const held = await waitForCall(h, "caller leg on hold", (c) => isCall(c) && c.legs[0]?.onHold === true);
    assert.equal(held.legs.find((l) => l.party === "1011")?.onHold, false, "only the caller's leg is held");
    const t0 = Date.now();
    await sleep(1000);
    const during = (await liveCalls(h)).find(isCall);
    assert.ok(during !== undefined && during.legs[0]?.onHold === true, JSON.stringify(during));
    const elapsed = Date.now() - t0;
    // Music on hold is 20 ms packets: 50 a second (measured 50/s); allow for polling jitter.
    const grew = calleeOut(during) - calleeOut(held);
    assert.ok(grew >= (elapsed / 20) * 0.8, `callee leg packetsOut grew by ${grew} in ${elapsed} ms while held`);
    const resumed = await waitForCall(h, "caller leg resumed", (c) => isCall(c) && c.legs[0]?.onHold === false);
    await sleep(100);
    const a = calleeOut((await liveCalls(h)).find(isCall) ?? resumed);
    await sleep(500);
    const b = calleeOut((await liveCalls(h)).find(isCall) ?? resumed);
    assert.equal(b, a, "the music stops when the call is resumed (the caller sends nothing)");
    await expectSuccess("caller 1001 (hold)", caller);
    await expectSuccess("callee 1011", callee);
  });

  test("hold by UPDATE (RFC 3311): 200 a=recvonly with no ACK, the leg shows onHold; a=sendrecv resumes", async () => {
    const callee = await phone(h, "1017", "uas-answer-expect-bye.xml", { echo: true });
    const caller = await dial(h, "1003", "1017", "uac-call-update-hold-expect-recvonly-then-resume.xml", 1500);
    const isCall = (c: LiveCall): boolean => c.caller === "1003" && c.dialed === "1017";
    await waitForCall(h, "caller leg on hold", (c) => isCall(c) && c.legs[0]?.onHold === true);
    await waitForCall(h, "caller leg resumed", (c) => isCall(c) && c.legs[0]?.onHold === false);
    await expectSuccess("caller 1003 (UPDATE hold)", caller);
    await expectSuccess("callee 1017", callee);
  });

  test("forking: 1016 is registered from two phones; both ring, the first 200 wins, the other is CANCELled with cause 26", async () => {
    const loser = await phone(h, "1016", "uas-ring-expect-cancel-answered-elsewhere.xml");
    const winner = await phone(h, "1016", "uas-answer-expect-bye.xml", { echo: true });
    const caller = await dial(h, "1010", "1016", "uac-call-expect-200-rtp-bye.xml", 1000);
    await expectSuccess("caller 1010", caller);
    await expectSuccess("phone that answered", winner);
    await expectSuccess("phone CANCELled (answered elsewhere)", loser);
    const cdr = await cdrFor(h, "1010", "1016");
    assert.equal(cdr.disposition, "answered");
  });

  test("blind transfer: 1002 answers and REFERs the caller to 1003; 202, NOTIFY 100/200; the caller talks to 1003, hangs up, 1003 gets the BYE", async () => {
    const transferor = await phone(h, "1002", "uas-answer-then-refer-expect-202-notify-100-200.xml", { keys: { target: "1003" } });
    const target = await phone(h, "1003", "uas-answer-expect-bye.xml", { echo: true });
    const caller = await dial(h, "1001", "1002", "uac-call-expect-200-rtp-bye.xml", 4000);
    const isCall = (c: LiveCall): boolean => c.caller === "1001" && c.dialed === "1002";
    const first = await waitForCall(h, "1001 connected to 1002", (c) => isCall(c) && c.connectedTo === "1002");
    assert.equal(first.answeredBy, "1002");
    // The transferor hangs up itself after the final NOTIFY (its scenario checks 202, both NOTIFYs, BYE 200).
    await expectSuccess("transferor 1002", transferor);
    const moved = await waitForCall(h, "1001 connected to 1003", (c) => isCall(c) && c.connectedTo === "1003" && c.state === "connected");
    assert.equal(moved.answeredBy, "1002", "the CDR keeps who answered first");
    await expectSuccess("caller 1001 (transferred)", caller);
    await expectSuccess("target 1003", target);
    await waitFor(async () => !(await liveCalls(h)).some(isCall), 3000, () => "call still listed after BYE");
  });

  test("park: 1012 transfers the caller to 700 and stays on the line; the caller waits in slot 701 with music; hotline releases 1012 after 4 s; 1004 dials 701 and is connected; BYEs both ways", async () => {
    // 1012 does not hang up after the final NOTIFY: its scenario expects hotline's BYE with
    // Reason text "Transferred" (the 4 s release, not the end of the call).
    const parker = await phone(h, "1012", "uas-answer-then-refer-expect-202-notify-100-200-bye-from-hotline.xml", { keys: { target: "700" } });
    const caller = await dial(h, "1001", "1012", "uac-call-expect-200-then-bye-from-hotline.xml");
    const isCall = (c: LiveCall): boolean => c.caller === "1001" && c.dialed === "1012";
    const toCaller = (c: LiveCall | undefined): number => c?.legs.find((l) => l.party === "1001")?.media?.packetsOut ?? -1;
    const parked = await waitForCall(h, "caller parked", (c) => isCall(c) && c.parkedSlot === "701");
    assert.equal(parked.state, "parked");
    const t0 = Date.now();
    await sleep(600);
    const stillParked = (await liveCalls(h)).find(isCall);
    const elapsed = Date.now() - t0;
    assert.equal(stillParked?.parkedSlot, "701");
    // Music on hold to the parked caller: 20 ms packets (measured 50/s).
    const grew = toCaller(stillParked) - toCaller(parked);
    assert.ok(grew >= (elapsed / 20) * 0.8, `caller leg packetsOut grew by ${grew} in ${elapsed} ms while parked`);
    // 1004 talks 5 s, longer than the 4 s after which hotline releases the parker.
    const retriever = await dial(h, "1004", "701", "uac-call-expect-200-rtp-bye.xml", 5000);
    const joined = await waitForCall(h, "parked call retrieved", (c) => isCall(c) && c.connectedTo === "1004");
    assert.deepEqual({ state: joined.state, parkedSlot: joined.parkedSlot }, { state: "connected", parkedSlot: null });
    await expectSuccess("parker 1012 (released by hotline)", parker);
    assert.equal((await liveCalls(h)).find(isCall)?.connectedTo, "1004", "releasing the parker leaves the call up");
    // 1004 hangs up; hotline then sends BYE to the parked caller.
    await expectSuccess("retriever 1004", retriever);
    await expectSuccess("caller 1001 (parked)", caller);
  });

  test("group pickup: 1001 rings, 1004 (group 'front') dials *8 and gets the call; 1001 is CANCELled with cause 26", async () => {
    const ringing = await phone(h, "1001", "uas-ring-expect-cancel-answered-elsewhere.xml");
    const caller = await dial(h, "1014", "1001", "uac-call-expect-200-then-bye-from-hotline.xml");
    await waitForCall(h, "1001 ringing", (c) => c.caller === "1014" && c.state === "dialing");
    const picker = await dial(h, "1004", "*8", "uac-call-expect-200-rtp-bye.xml", 1000);
    const picked = await waitForCall(h, "picked up", (c) => c.caller === "1014" && c.connectedTo === "1004");
    assert.equal(picked.state, "connected");
    await expectSuccess("1001 (CANCEL cause 26)", ringing);
    await expectSuccess("picker 1004", picker);
    await expectSuccess("caller 1014", caller);
    const cdr = await cdrFor(h, "1014", "1001");
    assert.deepEqual({ disposition: cdr.disposition, answeredBy: cdr.answeredBy }, { disposition: "answered", answeredBy: "1004" });
  });

  test("early media with 100rel: the callee's reliable 183 is PRACKed (RAck 1 1 INVITE); the caller gets 183 with hotline's SDP, then 200", async () => {
    const callee = await phone(h, "1013", "uas-answer-183-100rel-expect-prack.xml");
    const caller = await dial(h, "1001", "1013", "uac-call-expect-183-sdp-then-200.xml", 500);
    await expectSuccess("caller 1001 (183)", caller);
    await expectSuccess("callee 1013", callee);
    const cdr = await cdrFor(h, "1001", "1013");
    assert.deepEqual({ disposition: cdr.disposition, answeredBy: cdr.answeredBy }, { disposition: "answered", answeredBy: "1013" });
  });
});
