// A real softphone against the registrar: baresip 1.0 (headless, ctrl_tcp) registers with
// digest auth over UDP and TCP, refreshes its registration before it expires, answers the
// switch's keep-alive probes on its TCP flow, and un-REGISTERs when it quits.
// The registrar allows short registrations here (minExpires 10) and baresip asks for 12 s,
// so it refreshes at 90 % of that (libre's sipreg), about every 10.8 s.
import { describe, test, type TestContext } from "node:test";
import assert from "node:assert/strict";
import { startBaresip, stripAnsi, type Baresip, type BaresipOptions } from "./baresip.ts";
import { metricValue, removeDir, startHotline, waitFor, type Hotline, type StartOptions, type Registration } from "./harness.ts";

const USER = { username: "2001", password: "e2e-secret-2001" };
const REGINT = 12;
const REGISTRAR = { minExpires: 10, defaultExpires: 10, maxExpires: 3600 };


async function baresipBindings(h: Hotline): Promise<Registration[]> {
  const all = (await h.api<{ registrations: Registration[] }>("/api/registrations")).registrations;
  return all.filter((b) => b.userAgent?.includes("baresip") === true);
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A hotline and a baresip of its own, both torn down when the test ends. */
async function setUp(t: TestContext, hotline: StartOptions, phone: Omit<BaresipOptions, "registrarPort">): Promise<{ h: Hotline; b: Baresip }> {
  const h = await startHotline({ users: [USER], registrar: REGISTRAR, ...hotline });
  t.after(async () => {
    await h.stop();
    removeDir(h.dataDir);
  });
  const b = await startBaresip({ ...phone, registrarPort: h.sipPort, lifetimeSeconds: 60 });
  t.after(() => b.stop());
  return { h, b };
}

/** Registers, survives two refreshes, then quits cleanly; returns the first binding seen. */
async function registersAndRefreshes(h: Hotline, b: Baresip): Promise<Registration> {
  // (No REGISTER_OK event here: baresip registers at boot, often before ctrl_tcp is connected.)
  let first: Registration | undefined;
  await waitFor(async () => (first = (await baresipBindings(h))[0]) !== undefined, 5000, () => "no baresip binding");
  const startedAt = Date.now();
  assert.equal(first!.aor, "sip:2001@hotline.test");
  assert.match(first!.userAgent ?? "", /^baresip v1\.0\.0/);
  assert.equal(first!.expiresAt - first!.updatedAt, REGINT * 1000, "granted what it asked for");
  let m = await h.metrics();
  // Digest auth: challenged first, then accepted.
  assert.ok(metricValue(m, "sip_responses_total", { status: 401 }) >= 1);
  assert.equal(metricValue(m, "sip_responses_total", { status: 200 }), 1);

  // The refresh: same binding (contact, Call-ID), higher CSeq, expiry restarted.
  let refreshed: Registration | undefined;
  await waitFor(async () => {
    const now = (await baresipBindings(h))[0];
    if (now !== undefined && now.updatedAt > first!.updatedAt) refreshed = now;
    return refreshed !== undefined;
  }, (REGINT + 3) * 1000, () => `no refresh within ${REGINT + 3} s; baresip says:\n${b.output()}`);
  assert.equal(refreshed!.contact, first!.contact);
  assert.equal(refreshed!.callId, first!.callId);
  assert.ok(refreshed!.cseq > first!.cseq);
  assert.ok(refreshed!.expiresAt > first!.expiresAt);
  assert.ok(refreshed!.updatedAt - first!.updatedAt < REGINT * 1000, "refreshed before it expired");
  m = await h.metrics();
  assert.ok(metricValue(m, "sip_responses_total", { status: 200 }) >= 2);

  // 25 s after the first registration it is still there (it would have expired at 12 s),
  // as exactly one binding, and baresip itself says it is registered.
  await sleep(Math.max(0, 25_000 - (Date.now() - startedAt)));
  const later = await baresipBindings(h);
  assert.equal(later.length, 1, JSON.stringify(later));
  assert.equal(later[0]!.contact, first!.contact);
  assert.ok(later[0]!.expiresInSeconds > 0);
  m = await h.metrics();
  assert.ok(metricValue(m, "sip_responses_total", { status: 200 }) >= 3, m);
  assert.equal(metricValue(m, "sip_responses_total", { status: 403 }), 0);
  const info = await b.command("reginfo");
  assert.ok(info.ok);
  assert.match(stripAnsi(info.data ?? ""), /sip:2001@hotline\.test +OK /);

  // Quitting un-REGISTERs: the binding goes at once, not at expiry.
  await b.stop(3000);
  await waitFor(async () => (await baresipBindings(h)).length === 0, 3000, () => "binding left after baresip quit");
  return first!;
}

describe("baresip registration", { concurrency: true }, () => {
  test("over UDP: digest auth, refreshed before expiry, still registered after 25 s", { timeout: 60_000 }, async (t) => {
    const { h, b } = await setUp(t, {}, { ...USER, regint: REGINT, transport: "udp" });
    const first = await registersAndRefreshes(h, b);
    assert.equal(first.source.transport, "udp");
    assert.match(first.contact, new RegExp(`^sip:2001-[^@]+@127\\.0\\.0\\.1:${b.sipPort}$`));
    assert.equal(first.source.port, b.sipPort);
  });

  test("over TCP: binding on the TCP flow, probes answered by the phone over it, refreshed", { timeout: 60_000 }, async (t) => {
    const keepalive = { method: "options", scope: "nat", intervalSeconds: 2, failuresBeforeUnreachable: 2 } as const;
    const { h, b } = await setUp(t, { keepalive }, { ...USER, regint: REGINT, transport: "tcp" });
    // Check the probes while the phone is up (registersAndRefreshes ends by quitting it).
    const probed = (async () => {
      await sleep(12_000);
      const m = await h.metrics();
      const binding = (await baresipBindings(h))[0];
      return { probes: metricValue(m, "keepalive_probes_total", { method: "options" }), failures: metricValue(m, "keepalive_failures_total"), binding };
    })();
    const first = await registersAndRefreshes(h, b);
    assert.equal(first.source.transport, "tcp");
    assert.match(first.contact, new RegExp(`@127\\.0\\.0\\.1:${b.sipPort};transport=tcp$`));
    // baresip connects from an ephemeral port: the flow is not the Contact's port.
    assert.notEqual(first.source.port, b.sipPort);
    const p = await probed;
    assert.ok(p.probes >= 4 && p.probes <= 8, `probes in ~12 s at a 2 s interval: ${p.probes}`);
    assert.equal(p.failures, 0);
    assert.equal(p.binding?.reachable, true);
    assert.equal(p.binding?.keepaliveFailures, 0);
  });

  test("a wrong password: 401s, never a 200, no binding, baresip reports the failure", { timeout: 30_000 }, async (t) => {
    const { h, b } = await setUp(t, {}, { username: USER.username, password: "not-the-password", regint: REGINT });
    // libre answers each fresh-nonce 401 with new credentials until its loop guard stops it.
    await waitFor(async () => / ERR /.test(stripAnsi((await b.command("reginfo")).data ?? "")), 10_000, () => `baresip never reported ERR:\n${b.output()}`);
    assert.deepEqual(await baresipBindings(h), []);
    const m = await h.metrics();
    assert.equal(metricValue(m, "sip_responses_total", { status: 200 }), 0);
    assert.ok(metricValue(m, "sip_responses_total", { status: 401 }) >= 2);
    assert.ok(metricValue(m, "auth_challenges_total", { reason: "bad-credentials" }) >= 1);
  });
});
