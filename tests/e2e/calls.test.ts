// Calls through hotline between real SIPp phones on 127.0.0.1: callees register with digest
// (SIPp REGISTER scenario), then answer as SIPp UAS on the same port (with -rtp_echo); callers
// are SIPp UACs that answer the 407 challenge and play g711a.pcap through the B2BUA.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { freePort, injectionFile, runSipp, startHotline, type Hotline, type SippResult, sippMediaPort } from "./harness.ts";

const USERS = ["1001", "1002", "1003", "1004", "1009"].map((u) => ({ username: u, password: `pw-${u}-secret` }));
const creds = (u: string): string => injectionFile([[u, `pw-${u}-secret`]]);

interface Cdr {
  callId: string;
  caller: string;
  dialed: string;
  answeredBy: string | null;
  disposition: string;
  cause: number;
  talkMs: number;
  trunk: string | null;
  legs: { role: string; party: string; packetsIn: number; packetsOut: number; codec: string | null }[];
}

function show(r: SippResult): string {
  return `exit ${r.code}\n${r.stdout.slice(-1500)}\n${r.stderr.slice(-1500)}\n${r.messages.slice(-6000)}`;
}

/** Registers `user` from 127.0.0.1:port (the SIPp UAS then answers on that port). */
async function registerAt(h: Hotline, user: string, port: number): Promise<void> {
  const r = await runSipp({ scenario: "uac-register-digest-expect-200.xml", port: h.sipPort, localPort: port, injection: creds(user), keys: { hexp: "300" } });
  assert.equal(r.code, 0, show(r));
}

/** A SIPp UAS on `port` answering one call (runs in the background). */
async function answer(h: Hotline, port: number, opts: { ring?: number; scenario?: string; timeout?: number } = {}): Promise<SippResult> {
  return runSipp({
    scenario: opts.scenario ?? "uas-answer-expect-bye.xml",
    port: h.sipPort,
    localPort: port,
    extra: ["-rtp_echo", "-mp", String(await sippMediaPort())],
    timeoutSeconds: opts.timeout ?? 25,
  });
}

function call(h: Hotline, from: string, to: string, scenario = "uac-call-expect-200-rtp-bye.xml", hold = 2500): Promise<SippResult> {
  return runSipp({ scenario, port: h.sipPort, injection: creds(from), extra: ["-s", to, "-d", String(hold)], timeoutSeconds: 25 });
}

async function cdrs(h: Hotline): Promise<Cdr[]> {
  return (await h.api<{ cdrs: Cdr[] }>("/api/cdrs?limit=50")).cdrs;
}

describe("calls between SIPp phones through hotline", () => {
  let h: Hotline;
  before(async () => {
    h = await startHotline({
      users: USERS,
      extraYaml: [
        "calls: { authenticateInvites: false, ringSeconds: 8, media: { portMin: 36000, portMax: 36999 } }",
        "extensions:",
        '  "1004": { classOfService: internal }',
        '  "1003": { forward: { noAnswer: "1001" }, noAnswerSeconds: 2 }',
        'blacklist: ["1009"]',
        'numberClasses: { national: ["0ZXXXXXXXXX"] }',
        "outboundRoutes: [{ name: national, prefix: \"9\", strip: 1, trunks: [carrier] }]",
        "trunks:",
        "  carrier: { host: 127.0.0.1, port: 9, transport: udp, match: [] }",
        "schedules:",
        "  never: { timezone: Asia/Shanghai, open: [] }",
        "numbers:",
        '  "12345": { schedule: never, open: "1001", closed: "1002" }',
      ].join("\n"),
    });
  });
  after(async () => {
    await h.stop();
  });

  test("1001 calls 1002: answered, audio relayed both ways, BYE, CDR with both legs' packets", async () => {
    const port = await freePort();
    await registerAt(h, "1002", port);
    const callee = answer(h, port);
    const caller = await call(h, "1001", "1002");
    const uas = await callee;
    assert.equal(caller.code, 0, show(caller));
    assert.equal(uas.code, 0, show(uas));
    let cdr: Cdr | undefined;
    for (let i = 0; i < 30 && cdr === undefined; i++) {
      cdr = (await cdrs(h)).find((c) => c.caller === "1001" && c.dialed === "1002");
      if (cdr === undefined) await new Promise((r) => setTimeout(r, 100));
    }
    assert.ok(cdr !== undefined, "a CDR was written");
    assert.equal(cdr.disposition, "answered");
    assert.equal(cdr.answeredBy, "1002");
    assert.ok(cdr.talkMs >= 2000, `talk time ${cdr.talkMs}`);
    const [a, b] = cdr.legs;
    assert.equal(a?.codec, "PCMA");
    // g711a.pcap is ~8 s of 20 ms packets; the caller hung up after 2.5 s: about 125 each way.
    assert.ok((a?.packetsIn ?? 0) > 50, `caller leg received ${a?.packetsIn} RTP packets`);
    assert.ok((b?.packetsIn ?? 0) > 50, `callee leg received ${b?.packetsIn} RTP packets (the echo)`);
    assert.ok((b?.packetsOut ?? 0) > 50 && (a?.packetsOut ?? 0) > 50, JSON.stringify(cdr.legs));
  });

  test("callee busy: the caller gets 486 with a Q.850 Reason", async () => {
    const port = await freePort();
    await registerAt(h, "1002", port);
    const callee = runSipp({ scenario: "uas-reject-486.xml", port: h.sipPort, localPort: port, timeoutSeconds: 20 });
    const caller = await call(h, "1001", "1002", "uac-call-expect-486-busy.xml");
    assert.equal(caller.code, 0, show(caller));
    assert.equal((await callee).code, 0);
  });

  test("no answer → forward: 1003 rings 2 s, is CANCELled, 1001 answers", async () => {
    const p3 = await freePort();
    const p1 = await freePort();
    await registerAt(h, "1003", p3);
    await registerAt(h, "1001", p1);
    const ringing = runSipp({ scenario: "uas-ring-expect-cancel.xml", port: h.sipPort, localPort: p3, timeoutSeconds: 20 });
    const fwd = answer(h, p1);
    const caller = await call(h, "1002", "1003");
    assert.equal(caller.code, 0, show(caller));
    assert.equal((await ringing).code, 0, show(await ringing));
    assert.equal((await fwd).code, 0);
  });

  test("refusals: blacklisted caller 486, class of service 403, unknown number 404, nobody registered 480, no G.711 offered 488", async () => {
    const black = await call(h, "1009", "1002", "uac-call-expect-486-busy.xml");
    assert.equal(black.code, 0, show(black));
    const cos = await call(h, "1004", "9013812345678", "uac-call-expect-403-refused.xml");
    assert.equal(cos.code, 0, show(cos));
    const unknown = await call(h, "1001", "5555", "uac-call-expect-404-unknown-number.xml");
    assert.equal(unknown.code, 0, show(unknown));
    const nobody = await call(h, "1001", "1004", "uac-call-expect-480-unavailable.xml");
    assert.equal(nobody.code, 0, show(nobody));
    // Bad input: an offer without G.711 gets 488 with a Warning saying what is needed.
    const g729 = await call(h, "1001", "1002", "uac-call-g729-only-expect-488.xml");
    assert.equal(g729.code, 0, show(g729));
    const missed = await h.api<{ missedCalls: { caller: string }[] }>("/api/missed-calls?pending=1");
    assert.ok(Array.isArray(missed.missedCalls));
  });

  test("schedule: 12345 is closed (no open hours) and goes to 1002", async () => {
    const port = await freePort();
    await registerAt(h, "1002", port);
    const callee = answer(h, port);
    const caller = await call(h, "1001", "12345");
    assert.equal(caller.code, 0, show(caller));
    assert.equal((await callee).code, 0);
  });

  test("session timer: Session-Expires 30 below Min-SE 90 → 422 with Min-SE (RFC 4028 §8.1)", async () => {
    const r = await call(h, "1001", "1002", "uac-call-session-30-expect-422-min-se.xml");
    assert.equal(r.code, 0, show(r));
  });

  test("busy lamp: SUBSCRIBE Event: dialog → 200, NOTIFY dialog-info, unsubscribe → NOTIFY terminated", async () => {
    const r = await runSipp({ scenario: "uac-subscribe-dialog-expect-200-notify.xml", port: h.sipPort, extra: ["-s", "1002"], timeoutSeconds: 15 });
    assert.equal(r.code, 0, show(r));
  });
});
