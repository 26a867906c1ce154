import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Router, type DialPlan } from "@hotline/switch";
import { configFixture } from "../testing/config-fixture.js";
import { redactConfig } from "./load-config.js";
import { dialPlanOf } from "./to-dial-plan.js";

const { dir, configOf, errorsOf } = configFixture("hotline-dialplan-");
writeFileSync(join(dir, "moh.wav"), "RIFF");
mkdirSync(join(dir, "moh"));
writeFileSync(join(dir, "moh", "queue.wav"), "RIFF");

// The contract's example, with the second trunk its outbound route names.
const CONTRACT = `calls:
  media: { portMin: 16384, portMax: 32767, workers: 1, tonePlan: cn, musicOnHold: null }
  authenticateInvites: true
  ringSeconds: 30
  maxCallSeconds: 14400
  sessionTimers: { sessionExpires: 1800, minSE: 90 }
extensionDefaults: { callWaiting: true, dnd: false, classOfService: international, noAnswerSeconds: 20 }
extensions:
  "1001":
    callWaiting: true
    dnd: false
    forward: { always: null, busy: "1002", noAnswer: "1003" }
    noAnswerSeconds: 20
    followMe: { numbers: ["1002", "913800000000"], ringSeconds: 15 }
    classOfService: national
    pickupGroup: front
    callerIdName: "Front desk"
ringGroups:
  "6000": { strategy: simultaneous, members: ["1001", "1002"], ringSeconds: 20, memberRingSeconds: 10, noAnswer: "1003" }
schedules:
  office:
    timezone: Asia/Shanghai
    open: [{ days: [mon, tue, wed, thu, fri], from: "08:30", to: "12:00" }, { days: [mon, tue, wed, thu, fri], from: "13:30", to: "17:30" }]
    holidays: ["2026-10-01", "2026-10-02"]
    workdays: ["2026-10-10"]
numbers:
  "12345": { schedule: office, open: "6000", closed: "1003" }
  "8000": { destination: "6000" }
blacklist: ["13900000000", "0755XXXXXXXX", "400."]
priorityCallers: [{ pattern: "1380000000X", priority: 10, label: emergency-handset }]
numberClasses:
  local: ["NXXXXXXX"]
  national: ["0ZXXXXXXXXX.", "1ZXXXXXXXXX"]
  international: ["00."]
trunks:
  carrier-a:
    host: 127.0.0.1
    port: 5070
    transport: udp
    match: ["127.0.0.1:5070"]
    register: { username: "0101234", password: "secret", expires: 300 }
    auth: { username: "0101234", password: "secret" }
    callerId: "12345"
    normalize: { countryCode: "86", nationalPrefix: "0", internationalPrefix: "00" }
  carrier-b: { host: 192.0.2.10 }
outboundRoutes:
  - { name: national, prefix: "9", strip: 1, prepend: "", trunks: [carrier-a, carrier-b] }
inboundRoutes:
  - { trunk: carrier-a, did: "12345", destination: "12345" }
featureCodes: { dndOn: "*78", dndOff: "*79", forwardAlways: "*72", forwardBusy: "*90", forwardNoAnswer: "*92", forwardOff: "*73", callWaitingOn: "*70", callWaitingOff: "*71", pickup: "*8", directedPickup: "**" }
park: { code: "700", slots: "701-720", timeoutSeconds: 60 }
`;

test("the contract's example is valid and becomes this DialPlan", () => {
  const expected: DialPlan = {
    calls: {
      media: { portMin: 16384, portMax: 32767, workers: 1, tonePlan: "cn", musicOnHold: null, address: null, portReuseSeconds: 30 },
      authenticateInvites: true, ringSeconds: 30, maxCallSeconds: 14400, promptsDir: null, sessionTimers: { sessionExpires: 1800, minSE: 90 },
    },
    extensionDefaults: { callWaiting: true, dnd: false, classOfService: "international", noAnswerSeconds: 20 },
    extensions: {
      "1001": {
        callWaiting: true, dnd: false, forward: { always: null, busy: "1002", noAnswer: "1003" }, noAnswerSeconds: 20,
        followMe: { numbers: ["1002", "913800000000"], ringSeconds: 15 }, classOfService: "national", pickupGroup: "front", callerIdName: "Front desk",
      },
    },
    ringGroups: { "6000": { strategy: "simultaneous", members: ["1001", "1002"], ringSeconds: 20, memberRingSeconds: 10, noAnswer: "1003" } },
    queues: {},
    agents: {},
    schedules: {
      office: {
        timezone: "Asia/Shanghai",
        open: [{ days: ["mon", "tue", "wed", "thu", "fri"], from: "08:30", to: "12:00" }, { days: ["mon", "tue", "wed", "thu", "fri"], from: "13:30", to: "17:30" }],
        holidays: ["2026-10-01", "2026-10-02"],
        workdays: ["2026-10-10"],
      },
    },
    numbers: { "12345": { schedule: "office", open: "6000", closed: "1003" }, "8000": { destination: "6000" } },
    blacklist: ["13900000000", "0755XXXXXXXX", "400."],
    priorityCallers: [{ pattern: "1380000000X", priority: 10, label: "emergency-handset" }],
    numberClasses: { local: ["NXXXXXXX"], national: ["0ZXXXXXXXXX.", "1ZXXXXXXXXX"], international: ["00."] },
    trunks: {
      "carrier-a": {
        host: "127.0.0.1", port: 5070, transport: "udp", match: ["127.0.0.1:5070"],
        register: { username: "0101234", password: "secret", expires: 300 }, auth: { username: "0101234", password: "secret" },
        callerId: "12345", normalize: { countryCode: "86", nationalPrefix: "0", internationalPrefix: "00" },
      },
      // Defaults: port 5060, udp, matched by its host address.
      "carrier-b": { host: "192.0.2.10", port: 5060, transport: "udp", match: ["192.0.2.10"], register: null, auth: null, callerId: null, normalize: null },
    },
    outboundRoutes: [{ name: "national", prefix: "9", strip: 1, prepend: "", trunks: ["carrier-a", "carrier-b"] }],
    inboundRoutes: [{ trunk: "carrier-a", did: "12345", destination: "12345" }],
    featureCodes: {
      dndOn: "*78", dndOff: "*79", forwardAlways: "*72", forwardBusy: "*90", forwardNoAnswer: "*92",
      forwardOff: "*73", callWaitingOn: "*70", callWaitingOff: "*71", pickup: "*8", directedPickup: "**",
      agentLogin: "*60", agentLogout: "*61", agentBreak: "*62", agentAvailable: "*63",
      supervisorListen: "*51", supervisorWhisper: "*52", supervisorBarge: "*53", supervisorTakeOver: "*54", supervisorHangup: "*55",
      forceAvailable: "*56", forceBreak: "*57", forceLogout: "*58",
    },
    park: { code: "700", slots: "701-720", timeoutSeconds: 60 },
  };
  assert.deepEqual(dialPlanOf(configOf(CONTRACT)), expected);
});

test("the contract's example routes a trunk call to its DID through the schedule", () => {
  const router = new Router(dialPlanOf(configOf(CONTRACT)), (n) => ["1001", "1002", "1003"].includes(n));
  const dialed = router.normalizeInbound("carrier-a", "12345");
  const caller = router.normalizeInbound("carrier-a", "+86 138 0000 0002");
  assert.equal(caller, "013800000002");
  // Saturday 2026-10-10 09:00 in Shanghai: a make-up working day.
  const decision = router.route({ dialed, caller: "13800000002", origin: { kind: "trunk", trunk: "carrier-a" } }, Date.parse("2026-10-10T01:00Z"));
  assert.deepEqual(decision, {
    target: { kind: "ring-group", number: "6000", strategy: "simultaneous", members: ["1001", "1002"], ringSeconds: 20, memberRingSeconds: 10, noAnswer: "1003" },
    priority: { level: 10, label: "emergency-handset" },
    trace: [
      "priority 10 (emergency-handset): caller 13800000002 matches '1380000000X'",
      "number 12345",
      "schedule office: open (workday 2026-10-10 (mon hours) 09:00 in 08:30-12:00)",
      "→ 6000",
      "ring group 6000: simultaneous, members 1001, 1002",
    ],
  });
});

test("defaults that depend on other keys: ring times, trunk match, priority label", () => {
  const plan = dialPlanOf(configOf(`calls: { ringSeconds: 8 }
ringGroups:
  "6000": { members: ["1001"] }
  "6001": { members: ["1001"], ringSeconds: 40 }
trunks:
  by-name: { host: sip.carrier.example }
  by-v6: { host: "2001:db8::5" }
priorityCallers: [{ pattern: "110", priority: 99 }]
`));
  assert.deepEqual(plan.ringGroups["6000"], { strategy: "simultaneous", members: ["1001"], ringSeconds: 8, memberRingSeconds: 8, noAnswer: null });
  assert.deepEqual(plan.ringGroups["6001"], { strategy: "simultaneous", members: ["1001"], ringSeconds: 40, memberRingSeconds: 10, noAnswer: null });
  assert.deepEqual(plan.trunks["by-name"]?.match, []);
  assert.deepEqual(plan.trunks["by-v6"]?.match, ["2001:db8::5"]);
  assert.deepEqual(plan.priorityCallers, [{ pattern: "110", priority: 99, label: "110" }]);
});

test("references: ring-group members, schedules, trunks, destinations", () => {
  assert.deepEqual(errorsOf('ringGroups:\n  "6000": { members: ["1001", "1009"] }\n'), [
    "hotline.yaml:2:31: ringGroups.6000.members[1]: '1009' is not an extension (no user or extensions entry)",
  ]);
  // An unquoted key is found too.
  assert.deepEqual(errorsOf('ringGroups:\n  6000: { members: ["1009"] }\n'), [
    "hotline.yaml:2:21: ringGroups.6000.members[0]: '1009' is not an extension (no user or extensions entry)",
  ]);
  assert.deepEqual(errorsOf('numbers:\n  "12345": { schedule: ofice, open: "1001", closed: "1002" }\nschedules:\n  office: { timezone: Asia/Shanghai }\n'), [
    "hotline.yaml:2:24: numbers.12345.schedule: unknown schedule 'ofice'",
  ]);
  assert.deepEqual(errorsOf(CONTRACT.replace("  carrier-b: { host: 192.0.2.10 }\n", "")), [
    "hotline.yaml:46:79: outboundRoutes[0].trunks[1]: unknown trunk 'carrier-b'",
  ]);
  assert.deepEqual(errorsOf('numbers:\n  "400": { destination: "9999" }\n  "401": { destination: "trunk:nope/123" }\nringGroups:\n  "6000": { members: ["1001", "1001"], ringSeconds: 5, memberRingSeconds: 6, noAnswer: "7000" }\n'), [
    "hotline.yaml:2:25: numbers.400.destination: '9999' is not an extension, ring group, queue or number entry",
    "hotline.yaml:3:25: numbers.401.destination: unknown trunk 'nope'",
    'hotline.yaml:5:31: ringGroups.6000.members[1]: duplicate member, already at index 0 (got "1001")',
    "hotline.yaml:5:75: ringGroups.6000.memberRingSeconds: must not be greater than ringSeconds (5) (got 6)",
    "hotline.yaml:5:88: ringGroups.6000.noAnswer: '7000' is not an extension, ring group, queue or number entry",
  ]);
});

test("an extensions entry or a user makes a number an extension", () => {
  configOf('demo: { extensions: [] }\nextensions:\n  "3001": {}\nusers:\n  - { username: "3002", password: "password-3002" }\nringGroups:\n  "6000": { members: ["3001", "3002"] }\n');
});

test("forward and follow-me targets: internal, trunk, or an external number the extension may dial", () => {
  const yaml = `extensions:
  "1001":
    classOfService: local
    forward: { always: "5555", busy: "900441234", noAnswer: "trunk:nope" }
    followMe: { numbers: ["962345678", "1002", "trunk:a/123"] }
trunks:
  a: { host: 192.0.2.1 }
outboundRoutes:
  - { name: out, prefix: "9", strip: 1, trunks: [a] }
numberClasses: { local: ["NXXXXXXX"], international: ["00."] }
`;
  assert.deepEqual(errorsOf(yaml), [
    "hotline.yaml:4:24: extensions.1001.forward.always: '5555' is not an internal number and no outbound route matches it",
    "hotline.yaml:4:38: extensions.1001.forward.busy: '900441234' goes out as 00441234, an international number, but extension 1001 has classOfService local",
    "hotline.yaml:4:61: extensions.1001.forward.noAnswer: unknown trunk 'nope'",
  ]);
});

test("overlapping numbers: extensions, ring groups, number entries, park, feature codes", () => {
  const yaml = `ringGroups:
  "1001": { members: ["1002"] }
numbers:
  "700": { destination: "1002" }
  "*721": { destination: "1002" }
  "1001": { destination: "1002" }
users:
  - { username: "705", password: "password-705" }
featureCodes: { dndOff: "*78" }
`;
  assert.deepEqual(errorsOf(yaml), [
    "hotline.yaml:1:1: park.slots: slot '705' of 701-720 is already an extension (users[0].username)",
    "hotline.yaml:2:3: ringGroups.1001: '1001' is already an extension (demo.extensions[0])",
    "hotline.yaml:4:3: numbers.700: '700' is already the park code (park.code)",
    "hotline.yaml:5:3: numbers.*721: '*721' starts with featureCodes.forwardAlways '*72', which takes a number after it, so it could never be dialled",
    "hotline.yaml:6:3: numbers.1001: '1001' is already an extension (demo.extensions[0])",
    "hotline.yaml:9:25: featureCodes.dndOff: '*78' is already featureCodes.dndOn",
  ]);
  assert.deepEqual(errorsOf('featureCodes: { directedPickup: "1" }\n'), [
    "hotline.yaml:1:33: featureCodes.directedPickup: '1' takes a number after it, so these 5 could never be dialled: '1001' (demo.extensions[0]), '1002' (demo.extensions[1]), '1003' (demo.extensions[2]) and 2 more",
  ]);
  assert.deepEqual(errorsOf('featureCodes: { forwardAlways: "*7" }\n'), [
    "hotline.yaml:1:32: featureCodes.forwardAlways: '*7' takes a number after it, so these 5 could never be dialled: '*78' (featureCodes.dndOn), '*79' (featureCodes.dndOff), '*73' (featureCodes.forwardOff) and 2 more",
  ]);
  assert.deepEqual(errorsOf('demo: { extensions: ["701", "702"] }\n'), [
    "hotline.yaml:1:1: park.slots: 2 slots of 701-720 are already taken: '701' (demo.extensions[0]), '702' (demo.extensions[1])",
  ]);
  // Disabling a code or moving the park range resolves a clash.
  configOf('demo: { extensions: ["701", "1"] }\npark: { code: null, slots: "801-810" }\nfeatureCodes: { directedPickup: "#1", pickup: null }\nnumbers:\n  "*8": { destination: "1" }\n');
});

test("loops between number entries", () => {
  const yaml = 'numbers:\n  "100": { destination: "200" }\n  "200": { schedule: s, open: "300", closed: "1001" }\n  "300": { destination: "100" }\nschedules:\n  s: { timezone: UTC }\n';
  assert.deepEqual(errorsOf(yaml), ["hotline.yaml:4:25: numbers.300.destination: loop: 100 → 200 → 300 → 100"]);
});

test("patterns are checked", () => {
  assert.deepEqual(errorsOf('blacklist: ["12[3", "1.2", 400.]\npriorityCallers: [{ pattern: "X[]", priority: 0 }]\nnumberClasses: { local: ["abc"] }\n'), [
    `hotline.yaml:1:13: blacklist[0]: invalid pattern: unclosed '[' at position 3 (got "12[3")`,
    `hotline.yaml:1:21: blacklist[1]: invalid pattern: '.' is only allowed at the end (got "1.2")`,
    "hotline.yaml:1:28: blacklist[2]: must be a string; quote it in YAML (got 400)",
    `hotline.yaml:2:30: priorityCallers[0].pattern: invalid pattern: empty set '[]' at position 2 (got "X[]")`,
    "hotline.yaml:2:47: priorityCallers[0].priority: must be an integer 1..100 (got 0)",
    `hotline.yaml:3:26: numberClasses.local[0]: invalid pattern: 'a' is not a digit, *, #, +, X, Z, N, a [set] or a trailing '.' (got "abc")`,
  ]);
});

test("schedules: time zone, days, times, dates, holidays and workdays", () => {
  const yaml = `schedules:
  office:
    timezone: Asia/Shangai
    open:
      - { days: [mon], from: "18:00", to: "17:30" }
      - { days: [funday], from: "8:30", to: "24:01" }
    holidays: ["2026-02-30"]
    workdays: ["10/10/2026"]
`;
  assert.deepEqual(errorsOf(yaml), [
    'hotline.yaml:3:15: schedules.office.timezone: unknown timezone (got "Asia/Shangai")',
    'hotline.yaml:6:18: schedules.office.open[1].days[0]: must be one of: sun, mon, tue, wed, thu, fri, sat (got "funday")',
    'hotline.yaml:6:33: schedules.office.open[1].from: must be a time HH:MM, 00:00 to 24:00 (got "8:30")',
    'hotline.yaml:6:45: schedules.office.open[1].to: must be a time HH:MM, 00:00 to 24:00 (got "24:01")',
    'hotline.yaml:7:16: schedules.office.holidays[0]: is not a calendar date (got "2026-02-30")',
    'hotline.yaml:8:16: schedules.office.workdays[0]: must be a date YYYY-MM-DD (got "10/10/2026")',
  ]);
  const crossYaml = `schedules:
  s:
    timezone: UTC
    open: [{ days: [mon, mon], from: "18:00", to: "17:30" }]
    holidays: ["2026-10-10", "2026-10-10"]
    workdays: ["2026-10-10"]
  t: { timezone: UTC, open: [{ days: [tue], from: "09:00", to: "17:00" }], workdays: ["2026-10-11"] }
`;
  assert.deepEqual(errorsOf(crossYaml), [
    "hotline.yaml:4:12: schedules.s.open[0]: from '18:00' is not before to '17:30'",
    'hotline.yaml:4:26: schedules.s.open[0].days[1]: duplicate day, already at index 0 (got "mon")',
    'hotline.yaml:5:30: schedules.s.holidays[1]: duplicate holiday, already at index 0 (got "2026-10-10")',
    "hotline.yaml:6:16: schedules.s.workdays[0]: '2026-10-10' is also a holiday",
    "hotline.yaml:7:86: schedules.t.workdays: make-up workdays open with mon's hours, but open lists no hours for mon",
  ]);
});

test("calls: RTP port range, session timers, music on hold", () => {
  assert.deepEqual(errorsOf("calls:\n  media: { portMin: 16385, portMax: 16000 }\n  sessionTimers: { sessionExpires: 90, minSE: 120 }\n"), [
    "hotline.yaml:2:21: calls.media.portMin: must be even: RTP takes an even port and RTCP the next one (RFC 3550 §11) (got 16385)",
    "hotline.yaml:2:21: calls.media.portMin: must be less than portMax (16000) (got 16385)",
    "hotline.yaml:2:37: calls.media.portMax: must be odd: the last RTP port's RTCP port ends the range (RFC 3550 §11) (got 16000)",
    "hotline.yaml:3:36: calls.sessionTimers.sessionExpires: must not be less than minSE (120) (got 90)",
  ]);
  assert.deepEqual(errorsOf("calls: { media: { portMin: 80 }, sessionTimers: { minSE: 60 }, tonePlan: cn }\n"), [
    "hotline.yaml:1:28: calls.media.portMin: must be an integer 1024..65535 (got 80)",
    "hotline.yaml:1:58: calls.sessionTimers.minSE: must be an integer 90..86400 (got 60)",
    "hotline.yaml:1:64: calls.tonePlan: unknown key",
  ]);
  assert.deepEqual(errorsOf("calls: { media: { musicOnHold: missing.wav } }\n"), [`hotline.yaml:1:32: calls.media.musicOnHold: file not found: ${join(dir, "missing.wav")}`]);
  assert.equal(configOf("calls: { media: { musicOnHold: moh.wav } }\n").calls.media.musicOnHold, join(dir, "moh.wav"));
});

test("park slot ranges", () => {
  assert.deepEqual(errorsOf('park: { slots: "720-701" }\n'), ['hotline.yaml:1:16: park.slots: the first slot (720) is greater than the last (701) (got "720-701")']);
  assert.deepEqual(errorsOf('park: { slots: "7-20" }\n'), ['hotline.yaml:1:16: park.slots: both ends must have the same number of digits (got "7-20")']);
  assert.deepEqual(errorsOf("park: { slots: abc }\n"), ['hotline.yaml:1:16: park.slots: must be a range of slot numbers like 701-720 (got "abc")']);
  assert.deepEqual(errorsOf('park: { slots: "1000-2500" }\n'), ['hotline.yaml:1:16: park.slots: at most 1000 slots (got "1000-2500")']);
});

test("number entries: a destination, or a schedule with open and closed", () => {
  assert.deepEqual(errorsOf('numbers:\n  "1": { destination: "1001", schedule: x }\n  "2": {}\n  "3": { schedule: office, open: "1001" }\n  "4": { destination: "a:b" }\n'), [
    "hotline.yaml:2:8: numbers.1: give either destination, or schedule with open and closed, not both",
    "hotline.yaml:3:8: numbers.2: needs destination, or schedule with open and closed",
    "hotline.yaml:4:8: numbers.3.closed: is required with schedule, open and closed",
    'hotline.yaml:5:23: numbers.4.destination: must be a number, trunk:NAME or trunk:NAME/NUMBER (got "a:b")',
  ]);
});

test("keys: unknown keys get suggestions, bad keys and keys YAML reads as numbers are errors", () => {
  assert.deepEqual(errorsOf('ringGroups:\n  "6000": { members: ["1001"], stratgy: sequential }\n  abc: { members: ["1001"] }\n'), [
    'hotline.yaml:2:32: ringGroups.6000.stratgy: unknown key (did you mean "strategy"?)',
    'hotline.yaml:3:3: ringGroups.abc: key must be 1-32 of the characters 0-9, "*", "#", "+"',
  ]);
  assert.deepEqual(errorsOf('numbers:\n  0101234: { destination: "1001" }\n  6000: { destination: "1001" }\n'), [
    'hotline.yaml:2:3: numbers.101234: YAML reads the key 0101234 as the number 101234; write it in quotes ("0101234")',
  ]);
  assert.deepEqual(errorsOf("extensions:\n  \"1001\": { forward: { allways: \"1002\" } }\n"), [
    'hotline.yaml:2:24: extensions.1001.forward.allways: unknown key (did you mean "always"?)',
  ]);
});

test("trunks and routes", () => {
  const yaml = `trunks:
  a: { host: 192.0.2.1, match: ["192.0.2.1:5060", "192.0.2.2"] }
  b: { host: 192.0.2.9, match: ["192.0.2.1:5060", "::FFFF:192.0.2.2"] }
inboundRoutes:
  - { trunk: a, did: "*", destination: "1001" }
  - { trunk: a, did: "123", destination: "1002" }
  - { trunk: b, did: "123", destination: "1002" }
  - { trunk: b, did: "123", destination: "1003" }
  - { trunk: c, did: "1", destination: "trunk:d/123" }
outboundRoutes:
  - { name: all, prefix: "0", trunks: [a] }
  - { name: all, prefix: "01", trunks: [a, a, e] }
`;
  assert.deepEqual(errorsOf(yaml), [
    "hotline.yaml:3:33: trunks.b.match[0]: '192.0.2.1:5060' is already matched by trunk 'a'",
    "hotline.yaml:3:51: trunks.b.match[1]: '::FFFF:192.0.2.2' is already matched by trunk 'a'",
    "hotline.yaml:6:22: inboundRoutes[1].did: never used: inboundRoutes[0] (did '*') comes first and takes every call from trunk 'a'",
    "hotline.yaml:8:22: inboundRoutes[3].did: never used: duplicate of inboundRoutes[2]",
    "hotline.yaml:9:14: inboundRoutes[4].trunk: unknown trunk 'c'",
    "hotline.yaml:9:40: inboundRoutes[4].destination: unknown trunk 'd'",
    'hotline.yaml:12:13: outboundRoutes[1].name: duplicate route name, already at index 0 (got "all")',
    "hotline.yaml:12:26: outboundRoutes[1].prefix: never used: outboundRoutes[0] (prefix '0') comes first and takes every number this one would",
    'hotline.yaml:12:44: outboundRoutes[1].trunks[1]: duplicate trunk, already at index 0 (got "a")',
    "hotline.yaml:12:47: outboundRoutes[1].trunks[2]: unknown trunk 'e'",
  ]);
  assert.deepEqual(errorsOf('trunks:\n  a: { host: 192.0.2.1, match: ["host.example", "192.0.2.1:99999"] }\n  b: { host: "bad host", normalize: { countryCode: "086" }, register: { username: x, password: "" } }\n'), [
    'hotline.yaml:2:33: trunks.a.match[0]: must be an IP address, "ip:port" or "[ipv6]:port" (got "host.example")',
    'hotline.yaml:2:49: trunks.a.match[1]: must be an IP address, "ip:port" or "[ipv6]:port" (got "192.0.2.1:99999")',
    'hotline.yaml:3:14: trunks.b.host: must be a host name or IP address (got "bad host")',
    'hotline.yaml:3:52: trunks.b.normalize.countryCode: must be 1-3 digits, not starting with 0 (got "086")',
    "hotline.yaml:3:96: trunks.b.register.password: must not be empty",
  ]);
  assert.deepEqual(errorsOf('inboundRoutes:\n  - { trunk: "a b", did: "12[", destination: "trunk:" }\n'), [
    'hotline.yaml:2:14: inboundRoutes[0].trunk: must be 1-64 characters of letters, digits, ".", "_", "-", starting with a letter or digit (got "a b")',
    `hotline.yaml:2:26: inboundRoutes[0].did: must be "*" or a pattern: unclosed '[' at position 3 (got "12[")`,
    'hotline.yaml:2:46: inboundRoutes[0].destination: must be a number, trunk:NAME or trunk:NAME/NUMBER (got "trunk:")',
  ]);
});

test("redactConfig hides carrier passwords too", () => {
  const c = configOf(CONTRACT.replaceAll('password: "secret"', 'password: "carrier-pw-77"'));
  const text = JSON.stringify(redactConfig(c));
  assert.ok(!text.includes("carrier-pw-77"));
  assert.equal(c.trunks["carrier-a"]?.register?.password, "carrier-pw-77");
  assert.equal(redactConfig(c).trunks["carrier-b"]?.register, null);
});

test("the README's dial-plan examples are valid together", () => {
  const doc = readFileSync(new URL("../../../../README.md", import.meta.url), "utf8");
  const section = /### Dial plan\n([\s\S]*?)### Full example/.exec(doc)?.[1] ?? "";
  const blocks = [...section.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1] ?? "");
  assert.equal(blocks.length, 13);
  const users = 'demo: { extensions: [] }\nusers:\n  - { username: "2001", password: "change-me-2001" }\n  - { username: "2002", password: "change-me-2002" }\n';
  const plan = dialPlanOf(configOf(users + blocks.join("")));
  assert.deepEqual(Object.keys(plan.trunks), ["carrier-a", "partner"]);
  assert.deepEqual(Object.keys(plan.queues), ["7000", "7100", "7200", "7300", "7400"]);
  assert.deepEqual(Object.keys(plan.agents ?? {}), ["2001", "2002"]);
});
