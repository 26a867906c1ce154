// SIPVicious (svwar, svcrack) against a real hotline on 127.0.0.1: extensions cannot be
// enumerated, and password guessing is cut off by the brute-force guard. Every run of a tool
// is bounded in time; each case has its own hotline (a fresh guard).
//
// How the tools decide (sipvicious 0.3.3, read from its source):
// - svwar first probes a random extension and keeps that reply's status line as "bad user".
//   Any later status line that differs is reported (401/403/407 → reqauth, 200 → noauth,
//   anything else → weird). A 401 to the random probe makes it refuse unless --force; with
//   --force, a 401 equal to "bad user" is an "unknown response" and it stops; a 405 stops it
//   ("method not allowed"); a 200 equal to "bad user" is skipped.
// - svcrack answers each 401 challenge with the next password; a 200 is a hit. With no
//   challenge pending it re-sends an unauthenticated REGISTER every few ms, and gives up
//   after --maximumtime (10 s) without any reply, then waits 10 s more for stragglers.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { freePort, injectionFile, removeDir, ROOT, runSipp, startHotline, waitFor, type Hotline, type SippResult } from "./harness.ts";

const USERS = ["2001", "2002", "2003", "2004", "2005"].map((u) => ({ username: u, password: `Str0ng-pass-${u}!` }));
const RIGHT = USERS[0]!;
/** Existing 2001..2005 and non-existing 2000, 2006..2010. */
const RANGE = Array.from({ length: 11 }, (_, i) => String(2000 + i));
const BRUTE_FORCE = { maxFailures: 5, windowSeconds: 60, blockSeconds: 120 };

/** HOME for the tools: sipvicious keeps sessions under ~/.sipvicious. */
const home = mkdtempSync(join(tmpdir(), "sipvicious-home-"));
after(() => removeDir(home));

interface ToolResult {
  command: string;
  code: number | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

/** Runs one sipvicious tool bound to 127.0.0.1 and a fresh local port; SIGKILL after timeoutMs. */
async function sv(tool: "svwar" | "svcrack", h: Hotline, args: string[], timeoutMs: number): Promise<ToolResult> {
  const full = ["-b", "127.0.0.1", "-P", String(await freePort()), "-p", String(h.sipPort), ...args, "127.0.0.1"];
  const child = spawn(tool, full, { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, HOME: home } });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  let timedOut = false;
  const killer = setTimeout(() => {
    timedOut = true;
    child.kill("SIGKILL");
  }, timeoutMs);
  const code = await new Promise<number | null>((res) => child.once("exit", (c) => res(c)));
  clearTimeout(killer);
  return { command: `${tool} ${full.join(" ")}`, code, stdout, stderr, timedOut };
}

const show = (r: ToolResult): string => `$ ${r.command}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`;

/** Rows of the table sipvicious prints at the end: `| 2001 | reqauth |`. */
function table(stdout: string): [string, string][] {
  return stdout
    .split("\n")
    .map((l) => /^\|\s*(\S+)\s*\|\s*(.*?)\s*\|$/.exec(l.trim()))
    .filter((m): m is RegExpExecArray => m !== null && m[1] !== "Extension")
    .map((m) => [m[1]!, m[2]!]);
}

/** svwar learned nothing: no rows, or every extension of the range with the same verdict. */
function assertIndistinguishable(r: ToolResult, range: string[]): void {
  const rows = table(r.stdout);
  if (rows.length === 0) return;
  assert.deepEqual(rows.map(([ext]) => ext).sort(), [...range].sort(), show(r));
  assert.equal(new Set(rows.map(([, v]) => v)).size, 1, show(r));
}

/**
 * The replies svwar --debug printed (Python byte-string reprs), with what differs per request
 * masked: branch, ports, tags, Call-ID, nonce, and the probed user in To/From.
 */
function replyShapes(stdout: string): string[] {
  return stdout
    .split("\n")
    .filter((l) => l.startsWith("b'SIP/2.0") || l.startsWith('b"SIP/2.0'))
    .map((l) =>
      l
        .replace(/branch=[^;\\]+/g, "branch=*")
        .replace(/127\.0\.0\.1:\d+/g, "127.0.0.1:*")
        .replace(/rport=\d+/g, "rport=*")
        .replace(/tag=[^;\\]+/g, "tag=*")
        .replace(/Call-ID: [^\\]+/g, "Call-ID: *")
        .replace(/nonce="[^"]*"/g, 'nonce="*"')
        .replace(/"[^"]*"<sip:[^@]+@/g, '"*"<sip:*@'),
    );
}

async function counter(h: Hotline, name: string): Promise<number> {
  const line = (await h.metrics()).split("\n").find((l) => l.startsWith(name + " "));
  return line === undefined ? 0 : Number(line.slice(name.length + 1));
}

interface BlockedSource {
  ip: string;
  until: string;
  failures: number;
}
const blockedSources = async (h: Hotline): Promise<BlockedSource[]> =>
  (await h.api<{ blockedSources: BlockedSource[] }>("/api/status")).blockedSources;

/** A dictionary of 50 passwords, the right one at `position` (1-based), the rest wrong. */
function dictionary(position: number): string {
  const words = Array.from({ length: 49 }, (_, i) => `wrong-guess-${String(i + 1).padStart(2, "0")}`);
  words.splice(position - 1, 0, RIGHT.password);
  const dir = mkdtempSync(join(tmpdir(), "svcrack-dict-"));
  writeFileSync(join(dir, "passwords.txt"), words.join("\n") + "\n");
  return join(dir, "passwords.txt");
}

/** A legitimate phone on 127.0.0.1: SIPp registering 2002 with its right password. */
async function legitimateRegister(h: Hotline, timeoutSeconds: number): Promise<SippResult> {
  const injection = injectionFile([[USERS[1]!.username, USERS[1]!.password]]);
  try {
    return await runSipp({ scenario: "uac-register-digest-expect-200.xml", port: h.sipPort, injection, keys: { hexp: "120" }, timeoutSeconds });
  } finally {
    removeDir(dirname(injection));
  }
}

/** True when SIPp's -trace_msg log shows any message received from the switch. */
const sippGotAnswer = (messages: string): boolean => /message received/i.test(messages);

describe("svwar cannot tell 2001..2005 from 2000 and 2006..2010", () => {
  let h: Hotline;
  before(async () => {
    h = await startHotline({ users: USERS });
  });
  after(async () => {
    await h.stop();
    removeDir(h.dataDir);
  });

  test("REGISTER (default method): svwar refuses, a random extension is already challenged", async () => {
    const r = await sv("svwar", h, ["-e2000-2010"], 30_000);
    assert.equal(r.timedOut, false, show(r));
    assert.match(r.stderr, /replied with an authentication request for an unknown extension/, show(r));
    assert.deepEqual(table(r.stdout), [], show(r));
  });

  // With --force svwar stops at the first reply equal to the random probe's, so each
  // extension gets its own run: the random probe and the extension, byte for byte alike.
  for (const method of ["REGISTER", "INVITE"] as const) {
    test(`${method} --force, each extension alone: its reply has the shape of a random extension's`, async () => {
      const runs = await Promise.all(RANGE.map((ext) => sv("svwar", h, ["-e" + ext, "-m", method, "--force", "--debug"], 30_000)));
      // The verdicts of all eleven runs together, as if one scan had covered the range.
      assertIndistinguishable({ ...runs[0]!, stdout: runs.map((r) => r.stdout).join("\n") }, RANGE);
      const shapes = new Set<string>();
      for (const r of runs) {
        assert.equal(r.timedOut, false, show(r));
        const replies = replyShapes(r.stdout);
        // The random probe and this extension were both answered (INVITE: plus 407 retransmissions).
        assert.ok(replies.length >= 2, show(r));
        for (const s of replies) shapes.add(s);
      }
      assert.equal(shapes.size, 1, [...shapes].join("\n"));
      // INVITE is challenged (407) before the number is even looked at, so every number alike.
      const status = method === "REGISTER" ? "401 Unauthorized" : "407 Proxy Authentication Required";
      assert.ok([...shapes][0]!.startsWith(`b'SIP/2.0 ${status}`), [...shapes][0]);
    });
  }

  test("OPTIONS over the whole range: 200 for every extension, svwar reports none", async () => {
    const before = await counter(h, 'sip_requests_total{method="OPTIONS"}');
    const r = await sv("svwar", h, ["-e2000-2010", "-m", "OPTIONS"], 30_000);
    assert.equal(r.timedOut, false, show(r));
    assertIndistinguishable(r, RANGE);
    assert.match(r.stderr, /found nothing/, show(r));
    // Every extension was asked (plus svwar's random probe), so "nothing" is a verdict.
    assert.equal((await counter(h, 'sip_requests_total{method="OPTIONS"}')) - before, RANGE.length + 1);
  });

  test("INVITE over the whole range: a 407 for a random extension too, svwar refuses and reports none", async () => {
    const r = await sv("svwar", h, ["-e2000-2010", "-m", "INVITE"], 30_000);
    assert.equal(r.timedOut, false, show(r));
    assertIndistinguishable(r, RANGE);
    assert.match(r.stderr, /authentication request for an unknown extension/, show(r));
  });

  test("none of this counted as a password guess", async () => {
    assert.deepEqual(await blockedSources(h), []);
    assert.equal(await counter(h, "auth_blocks_total"), 0);
  });
});

describe("svcrack: control, the right password at position 3 (before any block) is found", () => {
  let h: Hotline;
  before(async () => {
    h = await startHotline({ users: USERS, bruteForce: BRUTE_FORCE });
  });
  after(async () => {
    await h.stop();
    removeDir(h.dataDir);
  });

  test("svcrack prints 2001's password; two failures do not block", async () => {
    const dict = dictionary(3);
    const r = await sv("svcrack", h, ["-u", RIGHT.username, "-d", dict], 40_000);
    removeDir(dirname(dict));
    assert.equal(r.timedOut, false, show(r));
    assert.deepEqual(table(r.stdout), [[RIGHT.username, RIGHT.password]], show(r));
    assert.deepEqual(await blockedSources(h), []);
    assert.equal(await counter(h, "auth_blocks_total"), 0);
  });
});

describe("svcrack: the right password at position 50 is never tried, 127.0.0.1 is blocked", () => {
  let h: Hotline;
  let crack: ToolResult;
  before(async () => {
    h = await startHotline({ users: USERS, bruteForce: BRUTE_FORCE });
    const dict = dictionary(50);
    crack = await sv("svcrack", h, ["-u", RIGHT.username, "-d", dict], 40_000);
    removeDir(dirname(dict));
  });
  after(async () => {
    await h.stop();
    removeDir(h.dataDir);
  });

  test("svcrack finds nothing and gives up on the silence", () => {
    assert.equal(crack.timedOut, false, show(crack));
    assert.deepEqual(table(crack.stdout), [], show(crack));
    assert.match(crack.stderr, /since we last received a response - stopping/, show(crack));
    assert.match(crack.stderr, /found nothing/, show(crack));
  });

  test("/api/status lists 127.0.0.1 as blocked after 5 failures", async () => {
    const blocked = await blockedSources(h);
    assert.deepEqual(blocked.map((b) => [b.ip, b.failures]), [["127.0.0.1", BRUTE_FORCE.maxFailures]]);
    const left = Date.parse(blocked[0]!.until) - Date.now();
    assert.ok(left > 60_000 && left <= BRUTE_FORCE.blockSeconds * 1000, `block ends in ${left} ms`);
  });

  test("/metrics: one block, exactly maxFailures guesses checked, the rest dropped unanswered", async () => {
    assert.ok((await counter(h, "auth_blocks_total")) >= 1);
    assert.ok((await counter(h, "auth_blocked_drops_total")) > 0);
    assert.equal(await counter(h, 'auth_challenges_total{reason="bad-credentials"}'), BRUTE_FORCE.maxFailures);
    assert.equal(await counter(h, "auth_blocked_sources"), 1);
  });

  test("loopback is not exempt: a legitimate SIPp registration from 127.0.0.1 gets no answer", async () => {
    const drops = await counter(h, "auth_blocked_drops_total");
    const r = await legitimateRegister(h, 3);
    assert.notEqual(r.code, 0, r.messages);
    assert.equal(r.successful, 0);
    assert.equal(sippGotAnswer(r.messages), false, r.messages);
    assert.ok((await counter(h, "auth_blocked_drops_total")) > drops);
  });

  test("not even a malformed request is answered (no stateless 400 to a blocked source)", async () => {
    const port = await freePort();
    const dir = mkdtempSync(join(tmpdir(), "sipsak-"));
    const msg = join(dir, "m.sip");
    writeFileSync(msg, readFileSync(join(ROOT, "fixtures/sipsak/expect-400-bad-cseq.sip"), "utf8").replace("SIPSAK_PORT", String(port)));
    const drops = await counter(h, "auth_blocked_drops_total");
    const r = await new Promise<{ stdout: string }>((res) => {
      const c = spawn("sipsak", ["-f", msg, "-s", `sip:127.0.0.1:${h.sipPort}`, "-l", String(port), "-H", "127.0.0.1", "-vv", "--timer-t1=50"], { stdio: ["ignore", "pipe", "pipe"] });
      let stdout = "";
      c.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
      c.stderr.on("data", (d: Buffer) => (stdout += d.toString()));
      // T1 = 50 ms: sipsak gives up after ~3.6 s without an answer.
      const killer = setTimeout(() => c.kill("SIGKILL"), 10_000);
      c.once("exit", () => {
        clearTimeout(killer);
        res({ stdout });
      });
    });
    removeDir(dir);
    assert.doesNotMatch(r.stdout, /SIP\/2\.0 \d{3}/, r.stdout);
    assert.match(r.stdout, /giving up, no final response/, r.stdout);
    assert.ok((await counter(h, "auth_blocked_drops_total")) > drops);
  });
});

describe("a short block (blockSeconds 5) lifts by itself", () => {
  const SHORT = { ...BRUTE_FORCE, blockSeconds: 5 };
  let h: Hotline;
  before(async () => {
    h = await startHotline({ users: USERS, bruteForce: SHORT });
  });
  after(async () => {
    await h.stop();
    removeDir(h.dataDir);
  });

  test("svcrack blocks 127.0.0.1, SIPp gets no answer; after 5 s SIPp registers", async () => {
    // Only the 5 wrong passwords: svcrack then falls silent and waits out its own timeout.
    const dir = mkdtempSync(join(tmpdir(), "svcrack-dict-"));
    writeFileSync(join(dir, "passwords.txt"), ["one-wrong", "two-wrong", "three-wrong", "four-wrong", "five-wrong"].join("\n") + "\n");
    const crack = sv("svcrack", h, ["-u", RIGHT.username, "-d", join(dir, "passwords.txt")], 40_000);
    await waitFor(async () => (await blockedSources(h)).length > 0, 10_000, () => "svcrack did not get 127.0.0.1 blocked");
    const seen = Date.now();
    const [block] = await blockedSources(h);
    assert.equal(block!.ip, "127.0.0.1");
    const left = Date.parse(block!.until) - seen;
    assert.ok(left > 0 && left <= SHORT.blockSeconds * 1000, `block ends in ${left} ms`);

    const during = await legitimateRegister(h, 2);
    assert.ok(Date.now() < Date.parse(block!.until), "SIPp ran past the block: the check above proved nothing");
    assert.notEqual(during.code, 0, during.messages);
    assert.equal(sippGotAnswer(during.messages), false, during.messages);

    await waitFor(async () => (await blockedSources(h)).length === 0, 15_000, () => "the block did not lift");
    assert.ok(Date.now() >= Date.parse(block!.until));
    const afterwards = await legitimateRegister(h, 10);
    assert.equal(afterwards.code, 0, afterwards.messages);
    assert.equal(afterwards.successful, 1);
    assert.ok(sippGotAnswer(afterwards.messages), "sippGotAnswer does not recognise SIPp's log of a received message");

    const r = await crack;
    removeDir(dir);
    assert.equal(r.timedOut, false, show(r));
    assert.deepEqual(table(r.stdout), [], show(r));
    assert.equal(await counter(h, "auth_blocks_total"), 1);
  });
});
