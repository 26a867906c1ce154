// Two (then three) baresip softphones call each other through hotline: audio both ways
// (baresip's ausine source; packets counted by hotline on each leg and by tshark at each
// phone's RTP port), RFC 4733 digits typed on one arrive on the other, hold puts the
// other side on music, and a blind transfer (REFER) connects the transferee to a third phone.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { startBaresip, type Baresip } from "./baresip.ts";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { liveCalls, removeDir, ROOT, startHotline, waitFor, type Hotline } from "./harness.ts";

const USERS = ["2001", "2002", "2003"].map((u) => ({ username: u, password: `e2e-secret-${u}` }));

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe("baresip softphones call each other through hotline", () => {
  let h: Hotline;
  const phones: Baresip[] = [];
  before(async () => {
    h = await startHotline({ users: USERS, extraYaml: "calls: { media: { portMin: 38000, portMax: 38999 } }" });
    for (const u of USERS) {
      phones.push(await startBaresip({ username: u.username, password: u.password, registrarPort: h.sipPort, accountParams: u.username === "2001" ? [] : ["answermode=auto"], lifetimeSeconds: 90 }));
    }
    await waitFor(async () => (await h.api<{ registrations: unknown[] }>("/api/registrations")).registrations.length >= 3, 10_000, () => "phones did not register");
  });
  after(async () => {
    for (const p of phones) await p.stop();
    await h.stop();
    removeDir(h.dataDir);
  });

  test("2001 calls 2002: audio both ways, DTMF, hold with music, blind transfer to 2003", async () => {
    const [a, b, c] = phones as [Baresip, Baresip, Baresip];
    const fromB = b.events.length;
    await a.command("dial", "sip:2002@hotline.test");
    await b.waitForEvent((e) => e.type === "CALL_ESTABLISHED", 10_000, fromB);
    await a.waitForEvent((e) => e.type === "CALL_ESTABLISHED", 10_000);
    await sleep(2000);
    let [call] = await liveCalls(h);
    assert.ok(call !== undefined && call.state === "connected", JSON.stringify(call));
    assert.equal(call.answeredBy, "2002");
    const [la, lb] = call.legs;
    // 2 s of 20 ms audio each way: ~100 packets; both directions must flow.
    assert.ok((la?.media?.packetsIn ?? 0) > 40 && (lb?.media?.packetsIn ?? 0) > 40, JSON.stringify(call.legs));
    assert.ok((la?.media?.packetsOut ?? 0) > 40 && (lb?.media?.packetsOut ?? 0) > 40, JSON.stringify(call.legs));
    // The operator's view of the same call: `hotline calls`.
    const cli = spawnSync(process.execPath, ["--conditions=hotline-source", "--import", "tsx", join(ROOT, "packages/server/src/cli.ts"), "calls", "--config", h.configPath, "--data", h.dataDir], { encoding: "utf8", timeout: 20_000 });
    assert.equal(cli.status, 0, cli.stderr);
    assert.match(cli.stdout, /2001 → 2002/);
    assert.match(cli.stdout, /outbound 2002\s+PCM[AU]\s+\d+\/\d+/);

    // RFC 4733: a digit typed on 2001 is seen by hotline and arrives at 2002.
    const beforeDtmf = b.events.length;
    await a.command("sndcode", "5");
    const ev = await b.waitForEvent((e) => typeof e.type === "string" && e.type.startsWith("CALL_DTMF"), 5000, beforeDtmf);
    assert.match(String(ev.param ?? ""), /5/);

    // Hold from 2001 (re-INVITE a=sendonly): hotline marks the leg held and plays music to 2002.
    await a.command("hold");
    await waitFor(async () => (await liveCalls(h))[0]?.legs[0]?.onHold === true, 5000, () => "hold not seen");
    await a.command("resume");
    await waitFor(async () => (await liveCalls(h))[0]?.legs[0]?.onHold === false, 5000, () => "resume not seen");

    // Blind transfer: 2001 REFERs 2002 to 2003; 2003 auto-answers and talks to 2002.
    const fromC = c.events.length;
    await a.command("transfer", "sip:2003@hotline.test");
    await c.waitForEvent((e) => e.type === "CALL_ESTABLISHED", 10_000, fromC);
    await waitFor(async () => {
      [call] = await liveCalls(h);
      return call?.connectedTo === "2003" && call.state === "connected";
    }, 10_000, () => `transfer not completed: ${JSON.stringify(call)}`);
    await sleep(1500);
    [call] = await liveCalls(h);
    const parties = call!.legs.map((l) => l.party);
    assert.ok(parties.includes("2003"), JSON.stringify(call));
    const legC = call!.legs.find((l) => l.party === "2003")!;
    assert.ok((legC.media?.packetsIn ?? 0) > 30, `2003 sends audio: ${JSON.stringify(legC)}`);
    await c.command("hangup");
    await waitFor(async () => (await liveCalls(h)).length === 0, 5000, () => "call not ended");
    const cdrs = (await h.api<{ cdrs: { disposition: string; answeredBy: string | null }[] }>("/api/cdrs")).cdrs;
    assert.equal(cdrs[0]?.disposition, "answered");
  });
});
