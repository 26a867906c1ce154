// Bindings are durable: a 200 OK to REGISTER means the binding is on disk (registrar.ts
// writes through before answering), so it survives a clean stop and a kill -9, and a new
// process on the same data directory and ports serves it with the same contact and the
// expiry the phone was granted. A binding that expired while the switch was down is not
// brought back.
import { describe, test, type TestContext } from "node:test";
import assert from "node:assert/strict";
import { freePort, injectionFile, removeDir, runSipp, startHotline, waitFor, type Hotline, type StartOptions, registrations, type Registration } from "./harness.ts";

const USER = { username: "2001", password: "e2e-secret-2001" };



/** The `restoredBindings` count the process logged at start. */
function restoredBindings(h: Hotline): number | null {
  const m = /"restoredBindings":(\d+)/.exec(h.output());
  return m === null ? null : Number(m[1]);
}

/** A switch plus a way to restart it on the same data directory and ports; all torn down after the test. */
async function switchWithRestart(t: TestContext, opts: StartOptions = {}): Promise<{ first: Hotline; restart(): Promise<Hotline> }> {
  const first = await startHotline({ users: [USER], ...opts });
  const running: Hotline[] = [first];
  t.after(async () => {
    for (const h of running) await h.stop();
    removeDir(first.dataDir);
  });
  return {
    first,
    async restart() {
      const next = await startHotline({ users: [USER], ...opts, dataDir: first.dataDir, sipPort: first.sipPort, httpPort: first.httpPort });
      running.push(next);
      return next;
    },
  };
}

async function register(h: Hotline, hexp: number, transport: "u1" | "t1" = "u1"): Promise<{ localPort: number; binding: Registration }> {
  const localPort = await freePort();
  const r = await runSipp({ scenario: "uac-register-digest-expect-200.xml", port: h.sipPort, localPort, transport, injection: injectionFile([[USER.username, USER.password]]), keys: { hexp: String(hexp) } });
  assert.equal(r.code, 0, r.messages);
  const binding = (await registrations(h)).find((b) => b.source.port === localPort);
  assert.ok(binding !== undefined, "registered binding listed");
  return { localPort, binding };
}

/** The restored binding is the same record: contact, flow address, dialog ids and the absolute expiry. */
function assertSameBinding(after: Registration | undefined, before: Registration): void {
  assert.ok(after !== undefined, "binding lost across the restart");
  assert.equal(after.aor, before.aor);
  assert.equal(after.contact, before.contact);
  const { connectionId: _gone, ...flow } = before.source as Registration["source"] & { connectionId?: string };
  assert.deepEqual(after.source, flow);
  assert.equal(after.callId, before.callId);
  assert.equal(after.cseq, before.cseq);
  assert.equal(after.userAgent, "SIPp");
  assert.equal(after.expiresAt, before.expiresAt, "expiry is absolute, not restarted");
}

describe("bindings across restarts", () => {
  test("kill -9 right after the 200: the binding is back, same contact, remaining expiry", async (t) => {
    const s = await switchWithRestart(t);
    const { localPort, binding } = await register(s.first, 600);
    await s.first.kill9();
    assert.equal(s.first.process.signalCode, "SIGKILL");
    const h = await s.restart();
    assert.equal(restoredBindings(h), 1);
    const after = (await registrations(h)).find((b) => b.source.port === localPort);
    assertSameBinding(after, binding);
    assert.equal(after!.contact, `sip:2001@127.0.0.1:${localPort}`);
    assert.ok(after!.expiresInSeconds > 580 && after!.expiresInSeconds <= 600, `expiresInSeconds ${after!.expiresInSeconds}`);
    // The restored binding is live state, not a read-only copy: re-registering the same
    // contact (a new Call-ID) replaces it instead of adding a second one.
    const r = await runSipp({ scenario: "uac-register-digest-expect-200.xml", port: h.sipPort, localPort, injection: injectionFile([[USER.username, USER.password]]), keys: { hexp: "300" } });
    assert.equal(r.code, 0, r.messages);
    const mine = (await registrations(h)).filter((b) => b.source.port === localPort);
    assert.equal(mine.length, 1);
    assert.notEqual(mine[0]!.callId, binding.callId);
    assert.ok(mine[0]!.expiresInSeconds <= 300);
  });

  test("SIGTERM stop, then start: UDP and TCP bindings are both back", async (t) => {
    const s = await switchWithRestart(t);
    const udp = await register(s.first, 600, "u1");
    const tcp = await register(s.first, 600, "t1");
    await s.first.stop();
    assert.equal(s.first.process.exitCode, 0, s.first.output());
    assert.match(s.first.output(), /hotline stopped/);
    const h = await s.restart();
    assert.equal(restoredBindings(h), 2);
    const after = await registrations(h);
    assert.equal(after.length, 2);
    assertSameBinding(after.find((b) => b.source.port === udp.localPort), udp.binding);
    // A TCP binding comes back without the old process's connection id: that connection
    // died with it, and no new one may be mistaken for it.
    const t2 = after.find((b) => b.source.port === tcp.localPort);
    assertSameBinding(t2, tcp.binding);
    assert.equal(t2!.source.transport, "tcp");
    assert.ok("connectionId" in tcp.binding.source, "a live TCP binding names its connection");
    assert.equal("connectionId" in t2!.source, false);
    for (const b of after) assert.ok(b.expiresInSeconds > 580 && b.expiresInSeconds <= 600, `expiresInSeconds ${b.expiresInSeconds}`);
  });

  test("a short binding restored by a restart still expires on schedule", async (t) => {
    const s = await switchWithRestart(t, { registrar: { minExpires: 10, defaultExpires: 10 } });
    const short = await register(s.first, 10);
    const long = await register(s.first, 600);
    await s.first.kill9();
    const h = await s.restart();
    assert.equal(restoredBindings(h), 2, h.output());
    const restored = (await registrations(h)).find((b) => b.source.port === short.localPort);
    assertSameBinding(restored, short.binding);
    assert.ok(restored!.expiresInSeconds <= 10);
    await waitFor(() => Date.now() > short.binding.expiresAt + 500, 15_000, () => "clock");
    const after = await registrations(h);
    assert.equal(after.find((b) => b.source.port === short.localPort), undefined, "restored binding outlived its expiry");
    assertSameBinding(after.find((b) => b.source.port === long.localPort), long.binding);
  });

  test("a binding that expired while the switch was down is not restored", async (t) => {
    const s = await switchWithRestart(t, { registrar: { minExpires: 10, defaultExpires: 10 } });
    const short = await register(s.first, 10);
    const long = await register(s.first, 600);
    assert.ok(short.binding.expiresInSeconds <= 10);
    await s.first.kill9();
    // Down until the short one has expired (plus a margin for the clock's rounding).
    await waitFor(() => Date.now() > short.binding.expiresAt + 500, 15_000, () => "clock");
    const h = await s.restart();
    assert.equal(restoredBindings(h), 1, h.output());
    const after = await registrations(h);
    assert.equal(after.find((b) => b.source.port === short.localPort), undefined, "stale binding served after restart");
    assertSameBinding(after.find((b) => b.source.port === long.localPort), long.binding);
    assert.equal((await h.api<{ registrations: number }>("/api/status")).registrations, 1);
  });
});
