import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { configFixture } from "../testing/config-fixture.js";
import { loadConfig, redactConfig } from "./load-config.js";

const { dir, configOf, errorsOf } = configFixture("hotline-config-");
writeFileSync(join(dir, "cert.pem"), "-----BEGIN CERTIFICATE-----\n");
writeFileSync(join(dir, "key.pem"), "-----BEGIN PRIVATE KEY-----\n");

const DEFAULTS = {
  node: { id: "node1" },
  dataDir: join(dir, "data"),
  log: { level: "info" },
  sip: {
    domain: "hotline.local",
    listen: [
      { transport: "udp", host: "0.0.0.0", port: 5060 },
      { transport: "tcp", host: "0.0.0.0", port: 5060 },
    ],
    limits: { maxMessageBytes: 65535, udpReceiveBufferBytes: 262144, maxConnectionsPerIp: 64, idleConnectionSeconds: 600, maxServerTransactions: 100_000 },
  },
  auth: { algorithms: ["MD5"], nonceTtlSeconds: 300, bruteForce: { maxFailures: 30, windowSeconds: 60, blockSeconds: 600 } },
  registrar: {
    minExpires: 60, maxExpires: 7200, defaultExpires: 3600, maxContactsPerAor: 10,
    keepalive: { method: "options", scope: "nat", intervalSeconds: 30, failuresBeforeUnreachable: 3 },
  },
  http: { host: "127.0.0.1", port: 8080 },
  demo: { extensions: ["1001", "1002", "1003", "1004", "1005"] },
  users: [],
  calls: {
    media: { portMin: 16384, portMax: 32767, workers: 1, tonePlan: "cn", musicOnHold: null, address: null, portReuseSeconds: 30 },
    authenticateInvites: true,
    ringSeconds: 30,
    maxCallSeconds: 14400,
    promptsDir: null,
    sessionTimers: { sessionExpires: 1800, minSE: 90 },
  },
  extensionDefaults: { callWaiting: true, dnd: false, classOfService: "international", noAnswerSeconds: 20 },
  extensions: {},
  ringGroups: {},
  queues: {},
  agents: {},
  schedules: {},
  numbers: {},
  blacklist: [],
  priorityCallers: [],
  numberClasses: { local: [], national: [], international: [] },
  trunks: {},
  outboundRoutes: [],
  inboundRoutes: [],
  featureCodes: {
    dndOn: "*78", dndOff: "*79", forwardAlways: "*72", forwardBusy: "*90", forwardNoAnswer: "*92",
    forwardOff: "*73", callWaitingOn: "*70", callWaitingOff: "*71", pickup: "*8", directedPickup: "**",
    agentLogin: "*60", agentLogout: "*61", agentBreak: "*62", agentAvailable: "*63",
    supervisorListen: "*51", supervisorWhisper: "*52", supervisorBarge: "*53", supervisorTakeOver: "*54", supervisorHangup: "*55",
    forceAvailable: "*56", forceBreak: "*57", forceLogout: "*58",
  },
  park: { code: "700", slots: "701-720", timeoutSeconds: 60 },
};

test("an empty file, a comment-only file and a bare mapping give the defaults", () => {
  assert.deepEqual(configOf(""), DEFAULTS);
  assert.deepEqual(configOf("# nothing here\n"), DEFAULTS);
  assert.deepEqual(configOf("sip: {}\nregistrar: {}\n"), DEFAULTS);
});

test("no file at all gives the defaults, relative to the working directory", () => {
  const result = loadConfig(null);
  assert.ok(result.ok);
  assert.deepEqual(result.config, { ...DEFAULTS, dataDir: join(process.cwd(), "data") });
});

test("a missing file is an error naming the file", () => {
  const result = loadConfig(join(dir, "nope.yaml"));
  assert.deepEqual(result, { ok: false, errors: [`${join(dir, "nope.yaml")}: cannot read the configuration file (ENOENT)`] });
});

test("a full file is read, with relative paths resolved against the file's directory", () => {
  const file = join(dir, "full.yaml");
  writeFileSync(
    file,
    `node: { id: site-a }
dataDir: ./state
log: { level: debug }
sip:
  domain: example.org
  listen:
    - { transport: udp, host: 127.0.0.1, port: 15060 }
    - { transport: tls, cert: cert.pem, key: ${join(dir, "key.pem")} }
    - { transport: wss, port: 8443, cert: cert.pem, key: key.pem }
  limits: { maxMessageBytes: 8192 }
auth: { algorithms: [MD5] }
registrar: { minExpires: 30, defaultExpires: 30, maxExpires: 30, keepalive: { method: crlf } }
http: { port: 18080 }
demo: { extensions: [] }
users:
  - { username: "2001", password: "correct horse", displayName: "Desk 1" }
  - { username: "+8610", password: "battery staple" }
`,
  );
  const result = loadConfig(file);
  if (!result.ok) assert.fail(result.errors.join("\n"));
  const c = result.config;
  assert.equal(c.node.id, "site-a");
  assert.equal(c.dataDir, join(dir, "state"));
  assert.equal(c.sip.domain, "example.org");
  assert.deepEqual(c.sip.listen, [
    { transport: "udp", host: "127.0.0.1", port: 15060 },
    { transport: "tls", host: "0.0.0.0", port: 5061, cert: join(dir, "cert.pem"), key: join(dir, "key.pem") },
    { transport: "wss", host: "0.0.0.0", port: 8443, cert: join(dir, "cert.pem"), key: join(dir, "key.pem") },
  ]);
  assert.deepEqual(c.sip.limits, { maxMessageBytes: 8192, udpReceiveBufferBytes: 262144, maxConnectionsPerIp: 64, idleConnectionSeconds: 600, maxServerTransactions: 100_000 });
  assert.deepEqual(c.auth.algorithms, ["MD5"]);
  assert.equal(c.registrar.keepalive.method, "crlf");
  assert.equal(c.registrar.keepalive.intervalSeconds, 30);
  assert.deepEqual(c.http, { host: "127.0.0.1", port: 18080 });
  assert.deepEqual(c.demo.extensions, []);
  assert.deepEqual(c.users[0], { username: "2001", password: "correct horse", displayName: "Desk 1" });
  assert.equal(c.users[1]?.displayName, undefined);
});

test("the message format is file:line:col: path: message (got value)", () => {
  const yaml = "sip:\n  listen:\n    - { transport: udp }\n    - transport: tcp\n      port: abc\n";
  assert.deepEqual(errorsOf(yaml), ['hotline.yaml:5:13: sip.listen[1].port: must be an integer 1..65535 (got "abc")']);
  assert.deepEqual(errorsOf("http:\n  port: 70000\n"), ["hotline.yaml:2:9: http.port: must be an integer 1..65535 (got 70000)"]);
  assert.deepEqual(errorsOf("http: { port: 80.5 }\n"), ["hotline.yaml:1:15: http.port: must be an integer 1..65535 (got 80.5)"]);
});

test("unknown keys are errors pointing at the key, with a suggestion for typos", () => {
  assert.deepEqual(errorsOf("sip:\n  domian: x.org\n"), ['hotline.yaml:2:3: sip.domian: unknown key (did you mean "domain"?)']);
  assert.deepEqual(errorsOf("data_dir: /x\n"), ['hotline.yaml:1:1: data_dir: unknown key (did you mean "dataDir"?)']);
  assert.deepEqual(errorsOf("sip:\n  listen:\n    - { transport: udp, prot: 5060 }\n"), [
    'hotline.yaml:3:25: sip.listen[0].prot: unknown key (did you mean "port"?)',
  ]);
  assert.deepEqual(errorsOf("frobnicate: true\n"), ["hotline.yaml:1:1: frobnicate: unknown key"]);
});

test("wrong types, enums and missing keys", () => {
  assert.deepEqual(errorsOf("log: { level: verbose }\n"), ['hotline.yaml:1:15: log.level: must be one of: trace, debug, info, warn, error (got "verbose")']);
  assert.deepEqual(errorsOf("sip: [udp]\n"), ["hotline.yaml:1:6: sip: must be a mapping (got a list)"]);
  assert.deepEqual(errorsOf("- a\n"), ["hotline.yaml:1:1: must be a mapping (got a list)"]);
  assert.deepEqual(errorsOf("users:\n  - { username: \"2001\" }\n"), ["hotline.yaml:2:5: users[0].password: is required"]);
  assert.deepEqual(errorsOf("demo: { extensions: [1001] }\n"), ["hotline.yaml:1:22: demo.extensions[0]: must be a string; quote it in YAML (got 1001)"]);
  assert.deepEqual(errorsOf("auth: { algorithms: [] }\n"), ["hotline.yaml:1:21: auth.algorithms: must list at least one algorithm (got a list)"]);
  assert.deepEqual(errorsOf("sip: { domain: 'bad domain' }\n"), ["hotline.yaml:1:16: sip.domain: must be a host name or IPv4 address (got \"bad domain\")"]);
  assert.deepEqual(errorsOf("http: { host: localhost }\n"), ['hotline.yaml:1:15: http.host: must be an IPv4 or IPv6 address (got "localhost")']);
});

test("usernames and passwords are checked, and passwords are never echoed", () => {
  const errors = errorsOf('users:\n  - { username: "a:b", password: "secret" }\n  - { username: "2002", password: 12345678 }\n');
  assert.deepEqual(errors, [
    'hotline.yaml:2:17: users[0].username: must be 1-64 characters of letters, digits, ".", "_", "-", "+", starting with a letter, digit or "+" (got "a:b")',
    "hotline.yaml:2:34: users[0].password: must be at least 8 characters",
    "hotline.yaml:3:35: users[1].password: must be a string; quote it in YAML",
  ]);
  assert.ok(!errors.join("\n").includes("secret") && !errors.join("\n").includes("12345678"));
});

test("YAML syntax errors and duplicate keys carry a position", () => {
  assert.deepEqual(errorsOf("sip: { domain: x\n"), [errorsOf("sip: { domain: x\n")[0]]);
  assert.match(errorsOf("sip: { domain: x\n")[0] ?? "", /^hotline\.yaml:2:1: /);
  assert.match(errorsOf("http:\n  port: 1\n  port: 2\n")[0] ?? "", /^hotline\.yaml:3:3: Map keys must be unique/);
});

test("tls and wss need cert and key files; other transports take none", () => {
  assert.deepEqual(errorsOf("sip:\n  listen:\n    - { transport: tls }\n"), [
    "hotline.yaml:3:7: sip.listen[0]: tls needs cert (a PEM file)",
    "hotline.yaml:3:7: sip.listen[0]: tls needs key (a PEM file)",
  ]);
  assert.deepEqual(errorsOf("sip:\n  listen:\n    - { transport: wss, cert: cert.pem, key: missing.pem }\n"), [
    `hotline.yaml:3:46: sip.listen[0].key: file not found: ${join(dir, "missing.pem")}`,
  ]);
  assert.deepEqual(errorsOf("sip:\n  listen:\n    - { transport: udp, cert: cert.pem }\n"), [
    "hotline.yaml:3:31: sip.listen[0].cert: is only used by tls and wss, not udp",
  ]);
  assert.deepEqual(errorsOf("sip:\n  listen:\n    - { transport: tls, cert: ., key: key.pem }\n"), [
    `hotline.yaml:3:31: sip.listen[0].cert: not a file: ${dir}`,
  ]);
});

test("minExpires <= defaultExpires <= maxExpires", () => {
  assert.deepEqual(errorsOf("registrar:\n  minExpires: 600\n  maxExpires: 300\n"), [
    "hotline.yaml:2:15: registrar.minExpires: must not be greater than maxExpires (300) (got 600)",
  ]);
  assert.deepEqual(errorsOf("registrar:\n  defaultExpires: 30\n"), [
    "hotline.yaml:2:19: registrar.defaultExpires: must be between minExpires (60) and maxExpires (7200) (got 30)",
  ]);
  assert.deepEqual(errorsOf("registrar: { maxExpires: 1800 }\n"), [
    "hotline.yaml:1:12: registrar.defaultExpires: must be between minExpires (60) and maxExpires (1800) (got 3600)",
  ]);
});

test("two sockets on the same port and address are rejected; udp and tcp may share a port", () => {
  configOf("sip:\n  listen:\n    - { transport: udp, port: 5070 }\n    - { transport: tcp, port: 5070 }\n");
  // One socket per transport kind (a second udp entry could never be chosen to send).
  assert.deepEqual(errorsOf("sip:\n  listen:\n    - { transport: udp, host: 127.0.0.1 }\n    - { transport: udp, host: 192.0.2.1 }\n"), [
    "hotline.yaml:4:20: sip.listen[1].transport: only one udp entry is supported (already at sip.listen[0])",
  ]);
  assert.deepEqual(errorsOf("sip:\n  listen:\n    - { transport: udp }\n    - { transport: udp, host: 127.0.0.1 }\n"), [
    "hotline.yaml:4:7: sip.listen[1]: uses the same port as sip.listen[0] (udp 0.0.0.0:5060)",
    "hotline.yaml:4:20: sip.listen[1].transport: only one udp entry is supported (already at sip.listen[0])",
  ]);
  assert.deepEqual(errorsOf("sip:\n  listen:\n    - { transport: tcp, port: 5070 }\n    - { transport: ws, port: 5070 }\n"), [
    "hotline.yaml:4:7: sip.listen[1]: uses the same port as sip.listen[0] (tcp 0.0.0.0:5070)",
  ]);
  assert.deepEqual(errorsOf("sip:\n  listen:\n    - { transport: ws, port: 8080 }\n"), [
    "hotline.yaml:3:7: sip.listen[0]: uses the same port as http (127.0.0.1:8080)",
  ]);
});

test("duplicate users, demo extensions and algorithms", () => {
  const yaml = `users:
  - { username: "2001", password: "password-one" }
  - { username: "2001", password: "password-two" }
demo: { extensions: ["1001", "1001"] }
auth: { algorithms: [MD5, MD5] }
`;
  assert.deepEqual(errorsOf(yaml), [
    'hotline.yaml:3:17: users[1].username: duplicate username, already at index 0 (got "2001")',
    'hotline.yaml:4:30: demo.extensions[1]: duplicate extension, already at index 0 (got "1001")',
    'hotline.yaml:5:27: auth.algorithms[1]: duplicate algorithm, already at index 0 (got "MD5")',
  ]);
});

test("errors come sorted by position, all of them at once", () => {
  const errors = errorsOf("log: { level: loud }\nhttp: { port: 0 }\nnode: { id: '' }\n");
  assert.deepEqual(errors.map((e) => e.split(":").slice(1, 2).join()), ["1", "2", "3"]);
});

test("redactConfig hides provisioned passwords", () => {
  const c = configOf('users:\n  - { username: "2001", password: "hunter22-hunter22" }\n');
  assert.ok(!JSON.stringify(redactConfig(c)).includes("hunter22"));
  assert.equal(c.users[0]?.password, "hunter22-hunter22");
});

test("the full example in the README's configuration reference is valid", () => {
  const doc = readFileSync(new URL("../../../../README.md", import.meta.url), "utf8");
  const example = /<!-- full-example -->\s*```yaml\n([\s\S]*?)```/.exec(doc)?.[1];
  assert.ok(example, "README.md has a yaml block after <!-- full-example -->");
  configOf(example.replaceAll("/etc/hotline/tls/", `${dir}/`));
});
