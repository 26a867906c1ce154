// Contact liveness end to end: the switch probes registered contacts with OPTIONS over the
// flow they registered from (registrar.keepalive), keeps answering contacts reachable, and
// marks a contact whose flow is gone unreachable. The phones are SIPp UACs that register
// and then stay up, answering each probe (a new Call-ID every time) with their
// out-of-call scenario (-oocsf uas-answer-options.xml).
import { afterEach, describe, test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { freePort, injectionFile, metricValue, removeDir, runSipp, SIPP_DIR, startHotline, waitFor, type Hotline, type KeepaliveOptions, type SippResult, registrations, type Registration } from "./harness.ts";

const USER = { username: "2001", password: "e2e-secret-2001" };
const OTHER = { username: "2002", password: "e2e-secret-2002" };
const INTERVAL_S = 1;
const FAILURES = 2;



async function bindingFrom(h: Hotline, port: number): Promise<Registration | undefined> {
  return (await registrations(h)).find((b) => b.source.port === port);
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** OPTIONS requests SIPp received (from its -trace_msg log). */
function optionsReceived(r: SippResult): number {
  return (r.messages.match(/message received[^\n]*\n\s*\nOPTIONS sip:/g) ?? []).length;
}

describe("keep-alive probes (OPTIONS)", () => {
  let h: Hotline | undefined;
  const start = async (keepalive: KeepaliveOptions): Promise<Hotline> =>
    (h = await startHotline({ users: [USER, OTHER], keepalive: { method: "options", intervalSeconds: INTERVAL_S, failuresBeforeUnreachable: FAILURES, ...keepalive } }));
  afterEach(async () => {
    if (h === undefined) return;
    await h.stop();
    removeDir(h.dataDir);
    h = undefined;
  });

  /** A SIPp phone that registers and answers probes for `aliveMs`; its Contact is `contactPort` (its own port when omitted). */
  async function livePhone(hl: Hotline, o: { user: typeof USER; transport: "u1" | "t1"; aliveMs: number; contactPort?: number }): Promise<{ port: number; done: Promise<SippResult> }> {
    const port = await freePort();
    const done = runSipp({
      scenario: "uac-register-then-answer-options.xml",
      port: hl.sipPort,
      localPort: port,
      transport: o.transport,
      injection: injectionFile([[o.user.username, o.user.password]]),
      keys: { hexp: "600", hcontact: `127.0.0.1:${o.contactPort ?? port}` },
      timeoutSeconds: Math.ceil(o.aliveMs / 1000) + 10,
      extra: ["-d", String(o.aliveMs), "-oocsf", join(SIPP_DIR, "uas-answer-options.xml")],
    });
    await waitFor(async () => (await bindingFrom(hl, port)) !== undefined, 5000, () => `no binding from port ${port}`);
    return { port, done };
  }

  test("a live TCP flow is probed once per interval, answers, and stays reachable", async () => {
    const hl = await start({ scope: "all" });
    const phone = await livePhone(hl, { user: USER, transport: "t1", aliveMs: 7000 });
    await sleep(1500);
    const p0 = metricValue(await hl.metrics(), "keepalive_probes_total", { method: "options" });
    await sleep(4000);
    const m = await hl.metrics();
    const p1 = metricValue(m, "keepalive_probes_total", { method: "options" });
    const b = await bindingFrom(hl, phone.port);
    // One binding, one probe per second: about 4 in 4 s. Not one per 100 ms slice.
    assert.ok(p1 - p0 >= 2 && p1 - p0 <= 6, `probes in 4 s: ${p1 - p0} (interval ${INTERVAL_S} s, one binding)`);
    assert.equal(metricValue(m, "keepalive_failures_total"), 0);
    assert.equal(b?.source.transport, "tcp");
    assert.equal(b?.reachable, true);
    assert.equal(b?.keepaliveFailures, 0);
    const r = await phone.done;
    assert.equal(r.code, 0, r.messages);
    // Every probe reached the phone over its own connection and was answered.
    const seen = optionsReceived(r);
    assert.ok(seen >= p1 && seen <= p1 + 3, `SIPp saw ${seen} OPTIONS, switch sent ${p1} by then`);
  });

  test("a dead TCP flow (phone registered and exited) becomes unreachable after the configured failures", async () => {
    const hl = await start({ scope: "all" });
    const port = await freePort();
    const r = await runSipp({ scenario: "uac-register-digest-expect-200.xml", port: hl.sipPort, localPort: port, transport: "t1", injection: injectionFile([[USER.username, USER.password]]), keys: { hexp: "600" } });
    assert.equal(r.code, 0, r.messages);
    const before = await bindingFrom(hl, port);
    assert.equal(before?.source.transport, "tcp");
    const t0 = Date.now();
    await waitFor(async () => (await bindingFrom(hl, port))?.reachable === false, (FAILURES + 4) * INTERVAL_S * 1000, () => `still reachable: ${JSON.stringify(before)}`);
    const after = await bindingFrom(hl, port);
    const m = await hl.metrics();
    assert.ok(Date.now() - t0 < (FAILURES + 4) * INTERVAL_S * 1000);
    // Still registered (it has not expired), but skipped for calls until it answers again.
    assert.equal(after?.contact, before?.contact);
    assert.ok((after?.keepaliveFailures ?? 0) >= FAILURES, JSON.stringify(after));
    assert.equal(metricValue(m, "contacts_marked_unreachable_total"), 1);
    assert.ok(metricValue(m, "keepalive_failures_total") >= FAILURES);
  });

  test("scope nat over UDP: only the contact that differs from its source is probed", async () => {
    const hl = await start({ scope: "nat" });
    const natted = await livePhone(hl, { user: USER, transport: "u1", aliveMs: 5000, contactPort: await freePort() });
    const direct = await livePhone(hl, { user: OTHER, transport: "u1", aliveMs: 5000 });
    const [rn, rd] = await Promise.all([natted.done, direct.done]);
    assert.equal(rn.code, 0, rn.messages);
    assert.equal(rd.code, 0, rd.messages);
    const probes = metricValue(await hl.metrics(), "keepalive_probes_total", { method: "options" });
    // Probes go to the flow (SIPp's port), not to the Contact's port nobody listens on.
    assert.ok(optionsReceived(rn) >= 3, `behind-NAT phone saw ${optionsReceived(rn)} OPTIONS`);
    assert.equal(optionsReceived(rd), 0, "a contact equal to its source is not probed under scope nat");
    // Every probe sent while the phone was up reached it (a last one may leave after it quit).
    assert.ok(probes >= optionsReceived(rn) && probes <= optionsReceived(rn) + 2, `switch sent ${probes}, phone saw ${optionsReceived(rn)}`);
    const bn = await bindingFrom(hl, natted.port);
    assert.notEqual(bn?.contact, `sip:${USER.username}@127.0.0.1:${natted.port}`);
    assert.equal(bn?.keepaliveFailures, 0);
    assert.equal(bn?.reachable, true);
  });
});
