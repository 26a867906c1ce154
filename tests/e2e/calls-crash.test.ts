// kill -9 during a call: every CDR written before survives, the call in progress becomes an
// "interrupted" CDR at the next start, and no stale call is left.
import { test } from "node:test";
import assert from "node:assert/strict";
import { freePort, injectionFile, removeDir, runSipp, startHotline, waitFor, type Hotline, sippMediaPort } from "./harness.ts";

const USERS = ["1001", "1002"].map((u) => ({ username: u, password: `pw-${u}-secret` }));
const creds = (u: string): string => injectionFile([[u, `pw-${u}-secret`]]);

interface Cdr {
  caller: string;
  disposition: string;
}

async function setup(h: Hotline, port: number): Promise<void> {
  const r = await runSipp({ scenario: "uac-register-digest-expect-200.xml", port: h.sipPort, localPort: port, injection: creds("1002"), keys: { hexp: "300" } });
  assert.equal(r.code, 0, r.messages);
}

test("kill -9 mid-call: earlier CDRs kept, the open call closed as interrupted, no stale call", async () => {
  const sipPort = await freePort();
  const httpPort = await freePort();
  const opts = { users: USERS, sipPort, httpPort, extraYaml: "calls: { authenticateInvites: false, media: { portMin: 37000, portMax: 37999 } }" };
  const h = await startHotline(opts);
  try {
    const port = await freePort();
    await setup(h, port);
    // One complete call first.
    const uas1 = runSipp({ scenario: "uas-answer-expect-bye.xml", port: h.sipPort, localPort: port, extra: ["-mp", String(await sippMediaPort())] });
    const c1 = await runSipp({ scenario: "uac-call-expect-200-rtp-bye.xml", port: h.sipPort, injection: creds("1001"), extra: ["-s", "1002", "-d", "500"] });
    assert.equal(c1.code, 0, c1.messages);
    assert.equal((await uas1).code, 0);
    await waitFor(async () => (await h.api<{ cdrs: Cdr[] }>("/api/cdrs")).cdrs.length === 1, 5000, () => "first CDR missing");
    // A second call that is still up when the process dies.
    const uas2 = runSipp({ scenario: "uas-answer-expect-bye.xml", port: h.sipPort, localPort: port, extra: ["-mp", String(await sippMediaPort())], timeoutSeconds: 8 });
    const c2 = runSipp({ scenario: "uac-call-expect-200-rtp-bye.xml", port: h.sipPort, injection: creds("1001"), extra: ["-s", "1002", "-d", "30000"], timeoutSeconds: 8 });
    await waitFor(async () => (await h.api<{ calls: { state: string }[] }>("/api/calls")).calls.some((c) => c.state === "connected"), 10_000, () => "second call not connected");
    await h.kill9();
    await Promise.allSettled([uas2, c2]);
    const h2 = await startHotline({ ...opts, dataDir: h.dataDir });
    try {
      const cdrs = (await h2.api<{ cdrs: Cdr[] }>("/api/cdrs")).cdrs;
      assert.deepEqual(cdrs.map((c) => c.disposition).sort(), ["answered", "interrupted"]);
      assert.deepEqual((await h2.api<{ calls: unknown[] }>("/api/calls")).calls, []);
    } finally {
      await h2.stop();
    }
  } finally {
    await h.stop();
    removeDir(h.dataDir);
  }
});
