// Trunks against SIPp carriers on 127.0.0.1: hotline registers to a carrier as a client with
// digest auth; a call from an IP-authenticated trunk to a DID reaches an extension (caller
// number normalised from E.164); an extension's call out through the outbound route fails
// over from a carrier answering 503 to one that challenges (407) and then answers.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { freePort, injectionFile, runSipp, startHotline, waitFor, type Hotline, type SippResult, sippMediaPort } from "./harness.ts";

const USERS = ["1001", "1002"].map((u) => ({ username: u, password: `pw-${u}-secret` }));

interface Cdr {
  caller: string;
  dialed: string;
  direction: string;
  trunk: string | null;
  disposition: string;
  answeredBy: string | null;
}

function show(r: SippResult): string {
  return `exit ${r.code}\n${r.stderr.slice(-1500)}\n${r.messages.slice(-5000)}`;
}

describe("trunks: registration, inbound DID, outbound route with failover", () => {
  let h: Hotline;
  let carrierA: number;
  let carrierB: number;
  let carrierIn: number;
  let registered: Promise<SippResult>;
  before(async () => {
    carrierA = await freePort();
    carrierB = await freePort();
    carrierIn = await freePort();
    const sipPort = await freePort();
    // The carrier's registrar must be listening before hotline starts registering.
    registered = runSipp({ scenario: "uas-registrar-digest-expect-register.xml", port: sipPort, localPort: carrierA, timeoutSeconds: 20 });
    h = await startHotline({
      users: USERS,
      sipPort,
      extraYaml: [
        "calls: { authenticateInvites: false, ringSeconds: 10, media: { portMin: 35000, portMax: 35999 } }",
        "trunks:",
        `  carrier-a: { host: 127.0.0.1, port: ${carrierA}, transport: udp, match: ["127.0.0.1:${carrierA}"], register: { username: "0101234", password: "carrier-secret", expires: 60 }, auth: { username: "0101234", password: "carrier-secret" }, callerId: "12345" }`,
        `  carrier-b: { host: 127.0.0.1, port: ${carrierB}, transport: udp, match: ["127.0.0.1:${carrierB}"] }`,
        `  carrier-in: { host: 127.0.0.1, port: ${carrierIn}, transport: udp, match: ["127.0.0.1:${carrierIn}"], normalize: { countryCode: "86", nationalPrefix: "0", internationalPrefix: "00" } }`,
        'numberClasses: { national: ["0ZXXXXXXXXX."] }',
        'outboundRoutes: [{ name: national, prefix: "9", strip: 1, trunks: [carrier-b, carrier-a] }]',
        'inboundRoutes: [{ trunk: carrier-in, did: "12345", destination: "1002" }]',
      ].join("\n"),
    });
  });
  after(async () => {
    await h.stop();
  });

  test("hotline registers to carrier-a with digest; /api/status shows it registered", async () => {
    const r = await registered;
    assert.equal(r.code, 0, show(r));
    await waitFor(async () => {
      const s = await h.api<{ trunks: { trunk: string; state: string }[] }>("/api/status");
      return s.trunks.some((t) => t.trunk === "carrier-a" && t.state === "registered");
    }, 5000, () => "carrier-a not registered");
  });

  test("inbound: carrier-in delivers +8613800000001 → DID 12345 → extension 1002", async () => {
    const port = await freePort();
    const reg = await runSipp({ scenario: "uac-register-digest-expect-200.xml", port: h.sipPort, localPort: port, injection: injectionFile([["1002", "pw-1002-secret"]]), keys: { hexp: "300" } });
    assert.equal(reg.code, 0, show(reg));
    const callee = runSipp({ scenario: "uas-answer-expect-bye.xml", port: h.sipPort, localPort: port, extra: ["-mp", String(await sippMediaPort())] });
    const caller = await runSipp({ scenario: "uac-trunk-call-expect-200-bye.xml", port: h.sipPort, localPort: carrierIn, extra: ["-s", "12345", "-d", "500"] });
    assert.equal(caller.code, 0, show(caller) + show(await callee));
    assert.equal((await callee).code, 0);
    let cdr: Cdr | undefined;
    await waitFor(async () => (cdr = (await h.api<{ cdrs: Cdr[] }>("/api/cdrs")).cdrs.find((c) => c.dialed === "12345")) !== undefined, 5000, () => "no CDR");
    assert.deepEqual({ caller: cdr!.caller, direction: cdr!.direction, trunk: cdr!.trunk, answeredBy: cdr!.answeredBy }, { caller: "013800000001", direction: "inbound", trunk: "carrier-in", answeredBy: "1002" });
  });

  test("outbound: 1001 dials 9010123456789 → carrier-b 503 → carrier-a 407, digest, 200", async () => {
    const b = runSipp({ scenario: "uas-reject-503.xml", port: h.sipPort, localPort: carrierB, timeoutSeconds: 20 });
    const a = runSipp({ scenario: "uas-challenge-407-then-answer.xml", port: h.sipPort, localPort: carrierA, extra: ["-mp", String(await sippMediaPort())], timeoutSeconds: 20 });
    const caller = await runSipp({ scenario: "uac-call-expect-200-rtp-bye.xml", port: h.sipPort, injection: injectionFile([["1001", "pw-1001-secret"]]), extra: ["-s", "9010123456789", "-d", "500"] });
    assert.equal(caller.code, 0, show(caller) + show(await b) + show(await a));
    assert.equal((await b).code, 0, show(await b));
    assert.equal((await a).code, 0, show(await a));
    let cdr: Cdr | undefined;
    await waitFor(async () => (cdr = (await h.api<{ cdrs: Cdr[] }>("/api/cdrs")).cdrs.find((c) => c.dialed === "9010123456789")) !== undefined, 5000, () => "no CDR");
    assert.deepEqual({ direction: cdr!.direction, trunk: cdr!.trunk, disposition: cdr!.disposition }, { direction: "outbound", trunk: "carrier-a", disposition: "answered" });
  });
});
