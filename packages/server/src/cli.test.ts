import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createServer, type Server } from "node:http";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { ha1Md5, ha1Sha256 } from "@hotline/switch";
import { sampleBinding } from "@hotline/switch/testing";
import { openSqliteStore } from "./store/sqlite-store.js";

const CLI = fileURLToPath(new URL("./cli.ts", import.meta.url));
// Absolute, because the CLI runs with a temp directory as its cwd (where "tsx" would not resolve).
const TSX = import.meta.resolve("tsx");

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function hotline(cwd: string, ...args: string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--conditions=hotline-source", "--import", TSX, CLI, ...args], {
      cwd,
      env: { ...process.env, HOTLINE_CONFIG: "" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

const tempDirs: string[] = [];
function workspace(httpPort: number): string {
  const dir = mkdtempSync(join(tmpdir(), "hotline-cli-"));
  tempDirs.push(dir);
  writeFileSync(join(dir, "hotline.yaml"), `dataDir: ./data\nsip: { domain: example.org }\nhttp: { port: ${httpPort} }\n`);
  return dir;
}
test.after(() => {
  for (const d of tempDirs) rmSync(d, { recursive: true, force: true });
});

/** A port nothing listens on (bound and released at once). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

test("check-config prints ok, or the errors with exit 2", async () => {
  const dir = workspace(await freePort());
  const ok = await hotline(dir, "check-config", "hotline.yaml");
  assert.deepEqual([ok.code, ok.stdout], [0, "ok\n"]);
  writeFileSync(join(dir, "bad.yaml"), "sip:\n  listen:\n    - { transport: udp, port: abc }\n");
  const bad = await hotline(dir, "check-config", "bad.yaml");
  assert.equal(bad.code, 2);
  assert.equal(bad.stderr, 'bad.yaml:3:31: sip.listen[0].port: must be an integer 1..65535 (got "abc")\n');
});

test("start refuses a bad configuration with exit 2; usage errors exit 2", async () => {
  const dir = workspace(await freePort());
  writeFileSync(join(dir, "bad.yaml"), "registrar: { minExpires: 10, maxExpires: 5 }\n");
  const start = await hotline(dir, "start", "--config", "bad.yaml");
  assert.equal(start.code, 2);
  assert.match(start.stderr, /^bad\.yaml:1:26: registrar\.minExpires: must not be greater than maxExpires \(5\) \(got 10\)$/m);
  assert.equal((await hotline(dir, "user", "frobnicate")).code, 2);
});

test("user add, list, passwd, remove round-trip in a data directory", async () => {
  const dir = workspace(await freePort());
  const added = await hotline(dir, "user", "add", "2001", "--password", "first-password", "--display-name", "Desk 1");
  assert.equal(added.code, 0, added.stderr);
  assert.equal(added.stdout, "added user 2001 (realm example.org)\n");
  const generated = await hotline(dir, "user", "add", "2002");
  const password = /^password: (\S+)$/m.exec(generated.stdout)?.[1] ?? "";
  assert.match(password, /^[A-Za-z0-9]{16}$/);
  assert.equal((await hotline(dir, "user", "add", "2001", "--password", "whatever-else")).code, 1);
  assert.equal((await hotline(dir, "user", "add", "bad:name", "--password", "whatever-else")).code, 2);
  assert.equal((await hotline(dir, "user", "add", "2009", "--password", "short")).code, 2);

  const list = await hotline(dir, "user", "list");
  assert.match(list.stdout, /^USERNAME\s+DISPLAY NAME\s+REALM\s+CREATED$/m);
  assert.match(list.stdout, /^2001\s+Desk 1\s+example\.org\s+\d{4}-\d\d-\d\d \d\d:\d\d UTC$/m);
  assert.match(list.stdout, /^2002\s+example\.org/m);

  const store = await openSqliteStore(join(dir, "data"));
  const u = await store.users.get("2002");
  await store.close();
  assert.equal(u?.ha1Md5, ha1Md5("2002", "example.org", password));
  assert.equal(u?.ha1Sha256, ha1Sha256("2002", "example.org", password));

  assert.equal((await hotline(dir, "user", "passwd", "2001", "--password", "second-password")).code, 0);
  assert.equal((await hotline(dir, "user", "passwd", "2999")).code, 1);
  const json = JSON.parse((await hotline(dir, "user", "list", "--json")).stdout) as { username: string; displayName: string | null }[];
  assert.deepEqual(json.map((x) => [x.username, x.displayName]), [["2001", "Desk 1"], ["2002", null]]);
  assert.ok(!JSON.stringify(json).includes(ha1Md5("2001", "example.org", "second-password")), "no HA1 in the JSON");

  assert.equal((await hotline(dir, "user", "remove", "2001")).stdout, "removed user 2001\n");
  assert.equal((await hotline(dir, "user", "remove", "2001")).code, 1);
  const after = await openSqliteStore(join(dir, "data"));
  assert.equal((await after.users.get("2001"))?.username, undefined);
  await after.close();
});

test("user import: 10,000 users in one go; a bad file imports nothing", async () => {
  const dir = workspace(await freePort());
  const lines = Array.from({ length: 10_000 }, (_, i) => `${10000 + i},pass-${10000 + i},Agent ${i}`);
  writeFileSync(join(dir, "users.csv"), `username,password,display name\n${lines.join("\n")}\n`);
  const started = performance.now();
  const imported = await hotline(dir, "user", "import", "users.csv");
  const elapsed = performance.now() - started;
  assert.equal(imported.code, 0, imported.stderr);
  assert.match(imported.stdout, /^imported 10000 users \(10000 new, 0 updated\) in \d+ ms$/m);
  assert.ok(elapsed < 15_000, `import took ${Math.round(elapsed)} ms`);

  writeFileSync(join(dir, "more.csv"), "10000,changed-password\n20000,brand-new-pw\n");
  assert.match((await hotline(dir, "user", "import", "more.csv")).stdout, /imported 2 users \(1 new, 1 updated\)/);

  writeFileSync(join(dir, "bad.csv"), "30000,good-password\n30001,short\n");
  const bad = await hotline(dir, "user", "import", "bad.csv");
  assert.equal(bad.code, 2);
  assert.equal(bad.stderr, "bad.csv:2: password: must be at least 8 characters\nnothing imported\n");

  const store = await openSqliteStore(join(dir, "data"));
  const users = await store.users.list();
  await store.close();
  assert.equal(users.length, 10_001);
  assert.equal(users.find((x) => x.username === "10000")?.ha1Md5, ha1Md5("10000", "example.org", "changed-password"));
  assert.equal(users.find((x) => x.username === "10001")?.displayName, "Agent 1");
  assert.equal(users.find((x) => x.username === "30000"), undefined);
});

test("status says not running (exit 3); registrations falls back to the store and says so", async () => {
  const dir = workspace(await freePort());
  const status = await hotline(dir, "status");
  assert.equal(status.code, 3);
  assert.match(status.stdout, /^hotline is not running \(http:\/\/127\.0\.0\.1:\d+\/api\/status: ECONNREFUSED\)$/m);

  const store = await openSqliteStore(join(dir, "data"));
  await store.bindings.upsert(sampleBinding("2001", 5062, { expiresAt: Date.now() + 600_000 }));
  await store.bindings.upsert(sampleBinding("2002", 5062, { expiresAt: Date.now() - 1000 }));
  await store.close();
  const regs = await hotline(dir, "registrations");
  assert.equal(regs.code, 0, regs.stderr);
  assert.match(regs.stderr, /hotline is not running .*; showing the registrations stored in .*hotline\.db/);
  assert.match(regs.stdout, /^sip:2001@hotline\.local\s+sip:2001@192\.0\.2\.10:5062;transport=udp\s+udp 192\.0\.2\.10:5062\s+(599|600)\s+test-phone\/1\.0$/m);
  assert.doesNotMatch(regs.stdout, /2002/, "expired bindings are not shown");
});

test("registrations and status query the running switch's HTTP endpoint", async () => {
  const binding = sampleBinding("2001", 5062, { expiresAt: Date.now() + 300_000 });
  const server: Server = createServer((req, res) => {
    res.setHeader("content-type", "application/json");
    if (req.url === "/api/registrations") res.end(JSON.stringify({ registrations: [binding] }));
    else if (req.url === "/api/status") res.end(JSON.stringify({ node: "node1", calls: { active: 2 } }));
    else res.writeHead(404).end("{}");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  try {
    const dir = workspace((server.address() as AddressInfo).port);
    const regs = await hotline(dir, "registrations");
    assert.equal(regs.stderr, "");
    assert.match(regs.stdout, /^AOR\s+CONTACT\s+SOURCE\s+EXPIRES IN \(s\)\s+USER AGENT\nsip:2001@hotline\.local\s+\S+\s+udp 192\.0\.2\.10:5062\s+(299|300)\s+test-phone\/1\.0\n$/);
    assert.deepEqual(JSON.parse((await hotline(dir, "registrations", "--json")).stdout), { registrations: [binding] });
    const status = await hotline(dir, "status");
    assert.deepEqual([status.code, status.stdout], [0, "node: node1\ncalls.active: 2\n"]);
    assert.deepEqual(JSON.parse((await hotline(dir, "status", "--json")).stdout), { node: "node1", calls: { active: 2 } });
  } finally {
    server.close();
  }
});
