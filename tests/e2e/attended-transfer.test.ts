// Attended transfer (REFER with Replaces, RFC 5589 §7 / RFC 3891) through hotline with a
// real transferor: linphonec 3001 calls baresip 3002, holds it, consults baresip 3003, then
// `transfer <B call> --to-call <C call>`. hotline must join 3002 and 3003 in one call with
// audio both ways and release both of 3001's legs (baresip 1.0 can only transfer blind).
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { startBaresip, type Baresip } from "./baresip.ts";
import { startLinphone, type Linphone } from "./linphone.ts";
import { liveCalls, removeDir, startHotline, waitFor, type Hotline, type LegMedia, type LiveCall } from "./harness.ts";

const USERS = ["3001", "3002", "3003"].map((u) => ({ username: u, password: `e2e-secret-${u}` }));

/** The media counters of `party`'s leg in `call` (zeros when it has no endpoint). */
function mediaOf(call: LiveCall | undefined, party: string): Pick<LegMedia, "packetsIn" | "packetsOut"> {
  const leg = call?.legs.find((l) => l.party === party);
  return { packetsIn: leg?.media?.packetsIn ?? 0, packetsOut: leg?.media?.packetsOut ?? 0 };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe("attended transfer: linphonec transfers baresip to baresip through hotline", () => {
  let h: Hotline;
  let a: Linphone;
  const phones: Baresip[] = [];
  before(async () => {
    h = await startHotline({ users: USERS, extraYaml: "calls: { media: { portMin: 38000, portMax: 38999 } }" });
    a = await startLinphone({ username: "3001", password: "e2e-secret-3001", registrarPort: h.sipPort, lifetimeSeconds: 60 });
    for (const u of USERS.slice(1)) {
      phones.push(await startBaresip({ username: u.username, password: u.password, registrarPort: h.sipPort, accountParams: ["answermode=auto"], lifetimeSeconds: 60 }));
    }
    await waitFor(async () => (await h.api<{ registrations: unknown[] }>("/api/registrations")).registrations.length === 3, 10_000, () => `phones did not register:\n${a.output()}`);
  });
  after(async () => {
    await a?.stop();
    for (const p of phones) await p.stop();
    await h?.stop();
    if (h !== undefined) removeDir(h.dataDir);
  });

  test("3001 calls 3002, holds, consults 3003, transfers: 3002 ⇄ 3003 talk, 3001 is released", async () => {
    const [b, c] = phones as [Baresip, Baresip];

    // A → B, answered by B.
    let from = a.output().length;
    a.send("call sip:3002@hotline.test");
    await a.waitForOutput(/Media streams established with sip:3002@hotline\.test for call (\d+)/, 10_000, from);
    await b.waitForEvent((e) => e.type === "CALL_ESTABLISHED", 10_000);
    const [callB] = await a.calls();
    assert.equal(callB?.destination, "sip:3002@hotline.test");

    // A holds B (re-INVITE a=sendonly): hotline marks 3001's leg held.
    from = a.output().length;
    a.send(`pause ${callB!.id}`);
    await a.waitForOutput(/Call \d+ with sip:3002@hotline\.test is now paused/, 5000, from);
    let calls: LiveCall[] = [];
    await waitFor(async () => {
      calls = await liveCalls(h);
      return calls[0]?.legs.find((l) => l.party === "3001")?.onHold === true;
    }, 5000, () => `hold not seen: ${JSON.stringify(calls)}`);

    // A consults C: a second, separate call through hotline.
    from = a.output().length;
    a.send("call sip:3003@hotline.test");
    await a.waitForOutput(/Media streams established with sip:3003@hotline\.test for call \d+/, 10_000, from);
    await c.waitForEvent((e) => e.type === "CALL_ESTABLISHED", 10_000);
    const consulting = await a.calls();
    const callC = consulting.find((x) => x.destination === "sip:3003@hotline.test");
    assert.deepEqual(consulting.map((x) => [x.destination, x.state]), [["sip:3002@hotline.test", "Paused"], ["sip:3003@hotline.test", "StreamsRunning"]]);
    await waitFor(async () => (calls = await liveCalls(h)).length === 2 && calls.every((x) => x.state === "connected"), 5000, () => `consultation not connected: ${JSON.stringify(calls)}`);

    // The transfer: REFER on the A–B dialog, Refer-To sip:3003…?Replaces=<A–C dialog>.
    from = a.output().length;
    a.send(`transfer ${callB!.id} --to-call ${callC!.id}`);
    // NOTIFY sipfrag 200 (RFC 3515 §2.4.5) is what makes linphonec print this.
    await a.waitForOutput(/sip:3002@hotline\.test of call \d+ has been transfered/, 10_000, from);
    await waitFor(async () => {
      calls = await liveCalls(h);
      return calls.length === 1 && calls[0]?.state === "connected" && calls[0].connectedTo === "3003";
    }, 10_000, () => `transfer not completed: ${JSON.stringify(calls)}`);
    const [joined] = calls;
    assert.equal(joined!.answeredBy, "3003");
    assert.deepEqual(joined!.legs.map((l) => l.party).sort(), ["3001", "3002", "3003"]);
    assert.equal(joined!.legs.find((l) => l.party === "3002")?.onHold, false);
    // The Replaces path was taken (not the blind fallback for an unanswered consultation).
    let transferred: unknown[] = [];
    await waitFor(async () => {
      const j = await h.api<{ events: { type: string; data: unknown }[] }>(`/api/journal?callId=${encodeURIComponent(joined!.id)}&limit=100`);
      transferred = j.events.filter((e) => e.type === "call.transferred").map((e) => e.data);
      return transferred.length > 0;
    }, 5000, () => "no call.transferred in the journal");
    assert.deepEqual(transferred, [{ kind: "attended", by: "3001", to: "3003" }]);

    // A has no call left: it hung up the transferred call, hotline ended the consultation.
    await a.waitForOutput(/Call \d+ with sip:3002@hotline\.test ended/, 5000, from);
    await a.waitForOutput(/Call \d+ with sip:3003@hotline\.test ended/, 5000, from);
    assert.deepEqual(await a.calls(), []);

    // Audio both ways between 3002 and 3003 (20 ms packets: ~100 in 2 s each way), none to or from 3001.
    const t0 = await liveCalls(h);
    await sleep(2000);
    const t1 = await liveCalls(h);
    assert.equal(t1.length, 1, JSON.stringify(t1));
    for (const party of ["3002", "3003"]) {
      const d = { in: mediaOf(t1[0], party).packetsIn - mediaOf(t0[0], party).packetsIn, out: mediaOf(t1[0], party).packetsOut - mediaOf(t0[0], party).packetsOut };
      assert.ok(d.in > 50 && d.out > 50, `${party} leg RTP over 2 s: ${JSON.stringify(d)}`);
    }
    // 3001 hung up: its leg is marked ended and its RTP endpoint was released (no media counters).
    const transferor = t1[0]!.legs.find((l) => l.party === "3001");
    assert.equal(transferor?.ended, true, JSON.stringify(transferor));
    assert.equal(transferor?.media, null, "3001's RTP endpoint was not released");

    // B hangs up: the joined call ends, nothing is left.
    await b.command("hangup");
    await waitFor(async () => (await liveCalls(h)).length === 0, 5000, () => "call not ended");
  });
});
