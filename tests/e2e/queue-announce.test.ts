// Queue announcements in Mandarin and the periodic announcement (issue 4) heard by a real
// phone: a baresip caller (its sndfile module records what it hears) waits in a queue with
// `language: zh`, a position announcement 1 s after joining and a recorded periodic
// announcement every 7 s. Its recording cross-correlates with the zh position prompt and the
// periodic file, and not with prompts that were never played (the English position prompt; the
// bundled zh "all agents are busy", which the periodic file replaces; the zh callback offer,
// callback being off): the controls that keep the check honest.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { at8kHz, bestCorrelation, readWav } from "./audio.ts";
import { startBaresip, type Baresip } from "./baresip.ts";
import { journal, removeDir, ROOT, startHotline, waitFor, type Hotline, type JournalEvent } from "./harness.ts";
import { queueHotlineOptions, queueUsers } from "./queue-helpers.ts";

const PW = (u: string): string => `e2e-secret-${u}`;
const USERS = queueUsers(["1001", "2001"], PW);
/** The recorded periodic announcement: a bundled English prompt that the zh queue never plays otherwise. */
const PERIODIC = join(ROOT, "assets/prompts/en/callback-greeting.wav");

/**
 * Half a second from the middle of a sound file: the Mandarin prompts share their first
 * syllables ("您…"), so their openings look alike to the detector; their middles do not.
 */
function template(path: string): Float32Array {
  const p = at8kHz(readWav(path));
  const mid = Math.max(0, Math.floor(p.length / 2) - 2000);
  return p.subarray(mid, mid + 4000);
}
const prompt = (lang: "zh" | "en", name: string): Float32Array => template(join(ROOT, "assets/prompts", lang, `${name}.wav`));

describe("queue announcements in Mandarin and the periodic announcement, heard by baresip", () => {
  let h: Hotline;
  let phone: Baresip | undefined;
  const dir = mkdtempSync(join(tmpdir(), "hotline-e2e-announce-"));
  before(async () => {
    h = await startHotline(await queueHotlineOptions({
      users: USERS,
      media: { portMin: 35000, portMax: 35999 },
      queues: [
        // Nobody logged in (joinWhenNoAgents defaults to true): the caller waits.
        `  "7005": { strategy: linear, members: { "1001": 1 }, announce: { language: zh, firstAfterSeconds: 1, positionEverySeconds: 60, periodicEverySeconds: 7, periodicFile: ${JSON.stringify(PERIODIC)} } }`,
      ],
    }));
  });
  after(async () => {
    await phone?.stop(2000);
    await h.stop();
    removeDir(h.dataDir);
    removeDir(dir);
  });

  test("the waiting caller hears the zh position prompts, then the periodic file", async (t) => {
    phone = await startBaresip({ username: "2001", password: PW("2001"), registrarPort: h.sipPort, accountParams: [], lifetimeSeconds: 60, recordDir: dir });
    await waitFor(async () => (await h.api<{ registrations: { aor: string }[] }>("/api/registrations")).registrations.some((r) => r.aor.includes("2001@")), 10_000, () => "2001 did not register");
    const from = phone.events.length;
    await phone.command("dial", "sip:7005@hotline.test");
    await phone.waitForEvent((e) => e.type === "CALL_ESTABLISHED", 10_000, from);
    // Both announcements journaled for this caller, the position one first.
    let said: JournalEvent[] = [];
    await waitFor(async () => {
      said = (await journal(h, "limit=1000&type=queue.announcement")).filter((e) => e.data["queue"] === "7005");
      return said.some((e) => e.data["kind"] === "periodic");
    }, 15_000, () => `no periodic announcement: ${JSON.stringify(said)}`);
    assert.deepEqual(said.map((e) => e.data["kind"]), ["position", "periodic"]);
    assert.equal(said[0]?.data["position"], 1);
    // The periodic file lasts about 4 s; let it play out, then hang up.
    await new Promise((r) => setTimeout(r, 5000));
    await phone.command("hangup");
    await phone.waitForEvent((e) => e.type === "CALL_CLOSED", 5000, from);
    const rec = readdirSync(dir).filter((f) => f.endsWith("-dec.wav")).sort()[0];
    assert.ok(rec !== undefined, "baresip recorded nothing");
    const heard = at8kHz(readWav(join(dir, rec)));
    const played = { "zh caller-number": bestCorrelation(heard, prompt("zh", "caller-number")), periodic: bestCorrelation(heard, template(PERIODIC)) };
    const notPlayed = { "en caller-number": bestCorrelation(heard, prompt("en", "caller-number")), "zh all-busy": bestCorrelation(heard, prompt("zh", "all-busy")), "zh press-1-callback": bestCorrelation(heard, prompt("zh", "press-1-callback")) };
    const detail = JSON.stringify({ played, notPlayed }, (_k, v: unknown) => (typeof v === "number" ? Number(v.toFixed(2)) : v));
    t.diagnostic(detail);
    // A played prompt is found almost exactly (the path is lossless A-law end to end); other
    // speech in the same synthetic voice reaches about 0.6, so the bar sits between the two.
    for (const c of Object.values(played)) assert.ok(c > 0.9, detail);
    for (const c of Object.values(notPlayed)) assert.ok(c < 0.75, detail);
  });
});
