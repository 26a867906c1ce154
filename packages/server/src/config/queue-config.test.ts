import { test } from "node:test";
import assert from "node:assert/strict";
import { STRATEGY_IDS } from "@hotline/acd";
import { Router, type QueueEntry } from "@hotline/switch";
import { configFixture } from "../testing/config-fixture.js";
import { dialPlanOf } from "./to-dial-plan.js";

const { configOf, errorsOf } = configFixture("hotline-queues-");

// The contract's example (demo extensions 1001-1005 are the members).
const CONTRACT = `queues:
  "7000": { name: "Citizen hotline", strategy: longest-idle, members: { "1001": 1, "1002": 2 }, ringSeconds: 15, wrapUpSeconds: 5, maxWaitSeconds: 300, overflow: "1003", maxLength: 50 }
`;

test("the contract's queue becomes this QueueEntry; absent keys take their defaults", () => {
  const plan = dialPlanOf(configOf(`${CONTRACT}  "7001": { strategy: skill-level, members: { "1003": 1, "1004": 3 } }\n`));
  const expected: Record<string, QueueEntry> = {
    "7000": { name: "Citizen hotline", strategy: "longest-idle", members: { "1001": 1, "1002": 2 }, ringSeconds: 15, wrapUpSeconds: 5, maxWaitSeconds: 300, overflow: "1003", maxLength: 50, skillWaitSeconds: 30, stickyWindowSeconds: 86_400, stickyHoldSeconds: 15, fallbackStrategy: "longest-idle", ringInUse: false, joinWhenNoAgents: true, leaveWhenNoAgents: false, requeuePriorityRaise: 1, breakAfter: { busy: 1, rejected: 1 }, weights: {}, orders: {}, serviceLevelSeconds: 20, supervisors: [], announce: { language: "zh+en", positionEverySeconds: 60, firstAfterSeconds: 15, periodicFile: null, periodicEverySeconds: null }, callback: { enabled: false, digit: "1", maxAttempts: 3, retrySeconds: 120, ringSeconds: 30 } },
    "7001": { name: null, strategy: "skill-level", members: { "1003": 1, "1004": 3 }, ringSeconds: 15, wrapUpSeconds: 5, maxWaitSeconds: null, overflow: null, maxLength: null, skillWaitSeconds: 30, stickyWindowSeconds: 86_400, stickyHoldSeconds: 15, fallbackStrategy: "longest-idle", ringInUse: false, joinWhenNoAgents: true, leaveWhenNoAgents: false, requeuePriorityRaise: 1, breakAfter: { busy: 1, rejected: 1 }, weights: {}, orders: {}, serviceLevelSeconds: 20, supervisors: [], announce: { language: "zh+en", positionEverySeconds: 60, firstAfterSeconds: 15, periodicFile: null, periodicEverySeconds: null }, callback: { enabled: false, digit: "1", maxAttempts: 3, retrySeconds: 120, ringSeconds: 30 } },
  };
  assert.deepEqual(plan.queues, expected);
  assert.deepEqual(dialPlanOf(configOf("")).queues, {});
});

test("every strategy of @hotline/acd is accepted", () => {
  for (const strategy of STRATEGY_IDS) {
    const plan = dialPlanOf(configOf(`queues:\n  "7000": { strategy: ${strategy}, members: { "1001": 1 } }\n`));
    assert.equal(plan.queues["7000"]?.strategy, strategy);
  }
});

test("an unknown strategy names the allowed ones", () => {
  assert.deepEqual(errorsOf('queues:\n  "7000": { strategy: fastest, members: { "1001": 1 } }\n'), [
    'hotline.yaml:2:23: queues.7000.strategy: must be one of: ring-all, linear, round-robin, fewest-calls, least-talk-time, longest-idle, random, weighted-random, skill-level, sticky (got "fastest")',
  ]);
  assert.deepEqual(errorsOf('queues:\n  "7000": { members: { "1001": 1 } }\n'), ["hotline.yaml:2:11: queues.7000.strategy: is required"]);
});

test("members: known extensions, skill levels 1..100, at least one, keys quoted", () => {
  assert.deepEqual(errorsOf('extensions:\n  "3001": {}\nqueues:\n  "7000": { strategy: linear, members: { "1001": 1, "3001": 2, "1009": 1 } }\n'), [
    "hotline.yaml:4:64: queues.7000.members.1009: '1009' is not an extension (no user or extensions entry)",
  ]);
  assert.deepEqual(errorsOf('queues:\n  "7000": { strategy: linear, members: { "1001": 0, "1002": 1.5, "1003": "1" } }\n'), [
    "hotline.yaml:2:50: queues.7000.members.1001: must be an integer 1..100 (got 0)",
    "hotline.yaml:2:61: queues.7000.members.1002: must be an integer 1..100 (got 1.5)",
    'hotline.yaml:2:74: queues.7000.members.1003: must be an integer 1..100 (got "1")',
  ]);
  assert.deepEqual(errorsOf('queues:\n  "7000": { strategy: linear, members: {} }\n'), ["hotline.yaml:2:40: queues.7000.members: must list at least one member"]);
  assert.deepEqual(errorsOf('queues:\n  "7000": { strategy: linear, members: { 01001: 1 } }\n'), [
    'hotline.yaml:2:42: queues.7000.members.1001: YAML reads the key 01001 as the number 1001; write it in quotes ("01001")',
  ]);
  // An unquoted member key that YAML keeps as written is fine.
  assert.deepEqual(dialPlanOf(configOf('queues:\n  7000: { strategy: linear, members: { 1001: 1 } }\n')).queues["7000"]?.members, { "1001": 1 });
});

test("maxWaitSeconds needs overflow; overflow follows the destination rules", () => {
  assert.deepEqual(errorsOf('queues:\n  "7000": { strategy: linear, members: { "1001": 1 }, maxWaitSeconds: 300 }\n'), [
    "hotline.yaml:2:71: queues.7000.maxWaitSeconds: needs overflow: where a caller goes after waiting this long (got 300)",
  ]);
  const yaml = `queues:
  "7000": { strategy: linear, members: { "1001": 1 }, joinWhenNoAgents: false, overflow: "9999" }
  "7001": { strategy: linear, members: { "1001": 1 }, joinWhenNoAgents: false, overflow: "trunk:nope" }
  "7002": { strategy: linear, members: { "1001": 1 }, joinWhenNoAgents: false, overflow: "7002" }
`;
  assert.deepEqual(errorsOf(yaml), [
    "hotline.yaml:2:90: queues.7000.overflow: '9999' is not an extension, ring group, queue or number entry",
    "hotline.yaml:3:90: queues.7001.overflow: unknown trunk 'nope'",
    "hotline.yaml:4:90: queues.7002.overflow: must not be the queue itself",
  ]);
  assert.deepEqual(errorsOf('queues:\n  "7000": { strategy: linear, members: { "1001": 1 }, overflow: "a:b" }\n'), [
    'hotline.yaml:2:65: queues.7000.overflow: must be a number, trunk:NAME or trunk:NAME/NUMBER (got "a:b")',
  ]);
  // Another queue, a ring group, a number entry and a trunk are all destinations.
  configOf(`queues:
  "7000": { strategy: linear, members: { "1001": 1 }, maxWaitSeconds: 60, overflow: "7001" }
  "7001": { strategy: linear, members: { "1002": 1 }, maxWaitSeconds: 60, overflow: "6000" }
  "7002": { strategy: linear, members: { "1002": 1 }, joinWhenNoAgents: false, overflow: "8000" }
  "7003": { strategy: linear, members: { "1002": 1 }, leaveWhenNoAgents: true, overflow: "trunk:t/123" }
ringGroups:
  "6000": { members: ["1003"] }
numbers:
  "8000": { destination: "7000" }
trunks:
  t: { host: 192.0.2.1 }
`);
});

test("overflow without maxWaitSeconds needs joinWhenNoAgents: false or leaveWhenNoAgents: true; the keys must be booleans", () => {
  assert.deepEqual(errorsOf('queues:\n  "7000": { strategy: linear, members: { "1001": 1 }, overflow: "1002" }\n'), [
    "hotline.yaml:2:65: queues.7000.overflow: is never used: also set maxWaitSeconds, joinWhenNoAgents: false or leaveWhenNoAgents: true",
  ]);
  assert.deepEqual(errorsOf('queues:\n  "7000": { strategy: linear, members: { "1001": 1 }, joinWhenNoAgents: "no", leaveWhenNoAgents: 1 }\n'), [
    'hotline.yaml:2:73: queues.7000.joinWhenNoAgents: must be true or false (got "no")',
    "hotline.yaml:2:98: queues.7000.leaveWhenNoAgents: must be true or false (got 1)",
  ]);
  // Without overflow both keys are fine: callers are refused (480) or hung up instead.
  const q = dialPlanOf(configOf('queues:\n  "7000": { strategy: linear, members: { "1001": 1 }, joinWhenNoAgents: false, leaveWhenNoAgents: true }\n')).queues["7000"];
  assert.deepEqual([q?.joinWhenNoAgents, q?.leaveWhenNoAgents, q?.overflow], [false, true, null]);
});

test("ranges, unknown keys and bad queue numbers", () => {
  assert.deepEqual(errorsOf('queues:\n  "7000": { strategy: linear, members: { "1001": 1 }, ringSeconds: 0, wrapUpSeconds: -1, maxLength: 0, name: "", stratgy: x }\n  abc: { strategy: linear, members: { "1001": 1 } }\n'), [
    "hotline.yaml:2:68: queues.7000.ringSeconds: must be an integer 1..600 (got 0)",
    "hotline.yaml:2:86: queues.7000.wrapUpSeconds: must be an integer 0..3600 (got -1)",
    "hotline.yaml:2:101: queues.7000.maxLength: must be an integer 1..100000 (got 0)",
    "hotline.yaml:2:110: queues.7000.name: must not be empty (got \"\")",
    'hotline.yaml:2:114: queues.7000.stratgy: unknown key (did you mean "strategy"?)',
    'hotline.yaml:3:3: queues.abc: key must be 1-32 of the characters 0-9, "*", "#", "+"',
  ]);
});

test("a queue number must not clash with other numbers", () => {
  const yaml = `ringGroups:
  "6000": { members: ["1001"] }
numbers:
  "7000": { destination: "1001" }
queues:
  "6000": { strategy: linear, members: { "1001": 1 } }
  "7000": { strategy: linear, members: { "1001": 1 } }
  "1002": { strategy: linear, members: { "1001": 1 } }
  "*60": { strategy: linear, members: { "1001": 1 } }
  "*721": { strategy: linear, members: { "1001": 1 } }
`;
  assert.deepEqual(errorsOf(yaml), [
    "hotline.yaml:4:3: numbers.7000: '7000' is already queue queues.7000",
    "hotline.yaml:6:3: queues.6000: '6000' is already ring group ringGroups.6000",
    "hotline.yaml:8:3: queues.1002: '1002' is already an extension (demo.extensions[1])",
    "hotline.yaml:9:3: queues.*60: '*60' is already featureCodes.agentLogin",
    "hotline.yaml:10:3: queues.*721: '*721' starts with featureCodes.forwardAlways '*72', which takes a number after it, so it could never be dialled",
  ]);
});

test("agent feature codes can be moved and disabled, and clash like the others", () => {
  const plan = dialPlanOf(configOf('featureCodes: { agentLogin: "*91", agentLogout: "*910", agentBreak: null }\n'));
  assert.deepEqual([plan.featureCodes.agentLogin, plan.featureCodes.agentLogout, plan.featureCodes.agentBreak, plan.featureCodes.agentAvailable], ["*91", "*910", null, "*63"]);
  assert.deepEqual(errorsOf('featureCodes: { agentLogin: "*78" }\n'), ["hotline.yaml:1:29: featureCodes.agentLogin: '*78' is already featureCodes.dndOn"]);
  assert.deepEqual(errorsOf('numbers:\n  "*63": { destination: "1001" }\n'), ["hotline.yaml:2:3: numbers.*63: '*63' is already featureCodes.agentAvailable"]);
});

test("a configured queue routes: dialled, and as a number entry's destination from a trunk", () => {
  const config = configOf(`${CONTRACT}numbers:\n  "12345": { destination: "7000" }\ntrunks:\n  carrier: { host: 192.0.2.1 }\ninboundRoutes:\n  - { trunk: carrier, did: "*", destination: "12345" }\n`);
  const router = new Router(dialPlanOf(config), (n) => config.demo.extensions.includes(n));
  assert.deepEqual(router.route({ dialed: "7000", caller: "1001", origin: { kind: "extension", extension: "1001" } }, 0), {
    target: { kind: "queue", number: "7000" }, priority: null, trace: ["queue 7000"],
  });
  assert.deepEqual(router.route({ dialed: "01099998888", caller: "13800000001", origin: { kind: "trunk", trunk: "carrier" } }, 0), {
    target: { kind: "queue", number: "7000" },
    priority: null,
    trace: ["inbound route 0 (trunk carrier, did *)", "→ 12345", "number 12345", "→ 7000", "queue 7000"],
  });
  assert.deepEqual(router.route({ dialed: "*61", caller: "1002", origin: { kind: "extension", extension: "1002" } }, 0), {
    target: { kind: "feature", action: "agent-logout", argument: null }, priority: null, trace: ["feature code *61: agent-logout"],
  });
});

test("supervisors: known extensions, no duplicates, default none", () => {
  const plan = dialPlanOf(configOf('queues:\n  "7000": { strategy: linear, members: { "1001": 1 }, supervisors: ["1003", "1004"] }\n'));
  assert.deepEqual(plan.queues["7000"]?.supervisors, ["1003", "1004"]);
  assert.deepEqual(errorsOf('queues:\n  "7000": { strategy: linear, members: { "1001": 1 }, supervisors: ["1003", "1009", "1003"] }\n'), [
    "hotline.yaml:2:77: queues.7000.supervisors[1]: '1009' is not an extension (no user or extensions entry)",
    'hotline.yaml:2:85: queues.7000.supervisors[2]: duplicate supervisor, already at index 0 (got "1003")',
  ]);
  assert.deepEqual(errorsOf('queues:\n  "7000": { strategy: linear, members: { "1001": 1 }, supervisors: "1003" }\n'), ['hotline.yaml:2:68: queues.7000.supervisors: must be a list (got "1003")']);
});

test("supervisor feature codes default to *51-*58 and can be changed or turned off", () => {
  const plan = dialPlanOf(configOf("featureCodes:\n  supervisorListen: \"*41\"\n  forceLogout: null\n"));
  assert.deepEqual(
    [plan.featureCodes.supervisorListen, plan.featureCodes.supervisorWhisper, plan.featureCodes.supervisorBarge, plan.featureCodes.supervisorTakeOver, plan.featureCodes.supervisorHangup, plan.featureCodes.forceAvailable, plan.featureCodes.forceBreak, plan.featureCodes.forceLogout],
    ["*41", "*52", "*53", "*54", "*55", "*56", "*57", null],
  );
});
