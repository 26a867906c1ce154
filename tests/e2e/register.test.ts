// The registrar end to end on 127.0.0.1 against peers we did not write: SIPp scenarios in
// fixtures/sipp (named for what they expect) and sipsak for raw malformed requests.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort, injectionFile, removeDir, ROOT, runSipp, startHotline, type Hotline, type SippOptions, registrations, type Registration } from "./harness.ts";

const USER = { username: "2001", password: "e2e-secret-2001" };
const OTHER = { username: "2002", password: "e2e-secret-2002" };



describe("registrar with SIPp", () => {
  let h: Hotline;
  const creds = injectionFile([[USER.username, USER.password]]);
  const sipp = (o: Omit<SippOptions, "port">) => runSipp({ injection: creds, keys: { hexp: "120" }, ...o, port: h.sipPort });

  before(async () => {
    h = await startHotline({ users: [USER, OTHER] });
  });
  after(async () => {
    await h.stop();
    removeDir(h.dataDir);
  });

  test("uac-register-digest-expect-200: digest auth, 200 lists the binding, visible in the API", async () => {
    const localPort = await freePort();
    const r = await sipp({ scenario: "uac-register-digest-expect-200.xml", localPort });
    assert.equal(r.code, 0, r.messages);
    assert.equal(r.successful, 1);
    const mine = (await registrations(h)).filter((b) => b.source.port === localPort);
    assert.equal(mine.length, 1);
    assert.equal(mine[0]!.aor, "sip:2001@hotline.test");
    assert.ok(mine[0]!.expiresInSeconds > 100 && mine[0]!.expiresInSeconds <= 120);
  });

  test("uac-register-wrong-password-expect-401 and unknown user: the same 401 shape", async () => {
    const wrong = await sipp({ scenario: "uac-register-wrong-password-expect-401.xml" });
    assert.equal(wrong.code, 0, wrong.messages);
    const unknown = await sipp({ scenario: "uac-register-unknown-user-expect-401.xml", injection: injectionFile([["9999", "whatever-123"]]) });
    assert.equal(unknown.code, 0, unknown.messages);
    // The final 401s differ only in nonce, tags and branch: no enumeration signal.
    const shape = (log: string): string =>
      (log.split("SIP/2.0 401").pop() ?? "")
        .split("\n")
        .filter((l) => /^(WWW-Authenticate|Server|Content-Length)/.test(l))
        .map((l) => l.replace(/nonce="[^"]+"/, 'nonce="*"'))
        .join("\n");
    assert.notEqual(shape(wrong.messages), "");
    assert.equal(shape(unknown.messages), shape(wrong.messages));
  });

  test("uac-unregister-expect-200-no-contact: Expires 0 removes the binding", async () => {
    const localPort = await freePort();
    // Its own AOR: the final 200 must list no contact at all, so no other test's bindings.
    const r = await sipp({ scenario: "uac-unregister-expect-200-no-contact.xml", localPort, injection: injectionFile([[OTHER.username, OTHER.password]]) });
    assert.equal(r.code, 0, r.messages);
    assert.equal((await registrations(h)).filter((b) => b.source.port === localPort).length, 0);
  });

  test("uac-register-expires-too-brief-expect-423 carries Min-Expires: 60", async () => {
    const r = await sipp({ scenario: "uac-register-expires-too-brief-expect-423.xml", keys: { hexp: "10" } });
    assert.equal(r.code, 0, r.messages);
  });

  test("uac-register-refresh-expect-200: a refresh keeps one binding", async () => {
    const localPort = await freePort();
    const r = await sipp({ scenario: "uac-register-refresh-expect-200.xml", localPort, timeoutSeconds: 20 });
    assert.equal(r.code, 0, r.messages);
    assert.equal((await registrations(h)).filter((b) => b.source.port === localPort).length, 1);
  });

  test("uac-register-several-contacts-expect-200-both: two contacts in one REGISTER", async () => {
    const localPort = await freePort();
    const r = await sipp({ scenario: "uac-register-several-contacts-expect-200-both.xml", localPort });
    assert.equal(r.code, 0, r.messages);
    const mine = (await registrations(h)).filter((b) => b.source.port === localPort).map((b) => b.contact).sort();
    assert.deepEqual(mine, [`sip:2001-mobile@127.0.0.1:${localPort};transport=udp`, `sip:2001@127.0.0.1:${localPort}`]);
  });

  test("uac-options-expect-200-allow over UDP and TCP", async () => {
    for (const transport of ["u1", "t1"] as const) {
      const r = await sipp({ scenario: "uac-options-expect-200-allow.xml", transport });
      assert.equal(r.code, 0, `${transport}: ${r.messages}`);
    }
  });

  test("register over TCP works the same", async () => {
    const r = await sipp({ scenario: "uac-register-digest-expect-200.xml", transport: "t1" });
    assert.equal(r.code, 0, r.messages);
  });

  const malformed = readdirSync(join(ROOT, "fixtures/sipp")).filter((f) => f.startsWith("uac-expect-"));
  for (const scenario of malformed) {
    test(`${scenario}: exact status and reason, switch keeps serving`, async () => {
      const r = await sipp({ scenario, timeoutSeconds: 5 });
      assert.equal(r.code, 0, r.messages);
      assert.equal(r.successful, 1);
    });
  }

  for (const file of readdirSync(join(ROOT, "fixtures/sipsak"))) {
    const [, status, ...words] = file.replace(/\.sip$/, "").split("-");
    test(`sipsak ${file}: answered ${status}`, async () => {
      const port = await freePort();
      const dir = mkdtempSync(join(tmpdir(), "sipsak-"));
      const msg = join(dir, "m.sip");
      writeFileSync(msg, readFileSync(join(ROOT, "fixtures/sipsak", file), "utf8").replace("SIPSAK_PORT", String(port)));
      const r = spawnSync("sipsak", ["-f", msg, "-s", `sip:127.0.0.1:${h.sipPort}`, "-l", String(port), "-H", "127.0.0.1", "-vv"], { encoding: "utf8", timeout: 15_000 });
      removeDir(dir);
      const reason = words.join(" ").replace(/\b\w/g, (c) => c.toUpperCase()).replace("Cseq", "CSeq").replace("Header", "Header");
      assert.match(r.stdout, new RegExp(`SIP/2.0 ${status} `), r.stdout + r.stderr);
      assert.ok(r.stdout.toLowerCase().includes(`sip/2.0 ${status} ${reason.toLowerCase()}`), `expected "${status} ${reason}" in\n${r.stdout}`);
    });
  }

  test("the CLI's `registrations` and `status` read the running switch", async () => {
    const localPort = await freePort();
    const r = await sipp({ scenario: "uac-register-digest-expect-200.xml", localPort });
    assert.equal(r.code, 0, r.messages);
    const cli = (args: string[]) =>
      spawnSync(process.execPath, ["--conditions=hotline-source", "--import", "tsx", join(ROOT, "packages/server/src/cli.ts"), ...args, "--config", h.configPath, "--data", h.dataDir], { encoding: "utf8", timeout: 30_000, cwd: ROOT });
    const regs = cli(["registrations", "--json"]);
    assert.equal(regs.status, 0, regs.stderr);
    const listed = JSON.parse(regs.stdout) as Registration[] | { registrations: Registration[] };
    const rows = Array.isArray(listed) ? listed : listed.registrations;
    assert.ok(rows.some((b) => b.source.port === localPort && b.aor === "sip:2001@hotline.test"), regs.stdout);
    const table = cli(["registrations"]);
    assert.equal(table.status, 0, table.stderr);
    assert.match(table.stdout, new RegExp(`127\\.0\\.0\\.1:${localPort}`));
    const status = cli(["status", "--json"]);
    assert.equal(status.status, 0, status.stderr);
    const s = JSON.parse(status.stdout) as { running: boolean; domain: string; registrations: number };
    assert.equal(s.running, true);
    assert.equal(s.domain, "hotline.test");
    assert.ok(s.registrations >= 1);
  });

  test("bad input is counted in /metrics and the switch still answers OPTIONS", async () => {
    const m = await h.metrics();
    assert.match(m, /sip_bad_message_total\{reason="Bad Content-Length"\} [1-9]/);
    const r = await sipp({ scenario: "uac-options-expect-200-allow.xml" });
    assert.equal(r.code, 0);
  });
});
