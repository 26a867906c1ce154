import { test } from "node:test";
import assert from "node:assert/strict";
import { EXAMPLE_EXTENSIONS, examplePlan } from "./example-plan.js";
import { Router } from "./router.js";
import type { Origin, RouteDecision, Target } from "./route-types.js";

const utc = (iso: string): number => Date.parse(`${iso}Z`);
/** Thursday 2026-10-08 10:00 in Shanghai: the office is open. */
const OPEN = utc("2026-10-08T02:00");
/** Thursday 2026-10-01 10:00 in Shanghai: a holiday. */
const HOLIDAY = utc("2026-10-01T02:00");

const router = new Router(examplePlan(), (n) => EXAMPLE_EXTENSIONS.has(n));
const ext = (extension: string): Origin => ({ kind: "extension", extension });
const trunk = (name: string): Origin => ({ kind: "trunk", trunk: name });

const GROUP_6000: Target = { kind: "ring-group", number: "6000", strategy: "simultaneous", members: ["1001", "1002"], ringSeconds: 20, memberRingSeconds: 10, noAnswer: "1003" };
const GROUP_6001: Target = { kind: "ring-group", number: "6001", strategy: "sequential", members: ["1003", "1001"], ringSeconds: 30, memberRingSeconds: 10, noAnswer: null };
const TRACE_6000 = "ring group 6000: simultaneous, members 1001, 1002";

const busy: Target = { kind: "reject", status: 486, reason: "Busy Here", q850: 21, why: "blacklisted" };
const barred: Target = { kind: "reject", status: 403, reason: "Class of service", q850: 52, why: "class-of-service" };
const transit: Target = { kind: "reject", status: 403, reason: "Transit not allowed", q850: 21, why: "no-route" };
const notFound: Target = { kind: "reject", status: 404, reason: "Not Found", q850: 1, why: "unknown-number" };
const incomplete: Target = { kind: "reject", status: 484, reason: "Address Incomplete", q850: 28, why: "invalid-number" };

interface Row {
  name: string;
  origin: Origin;
  caller?: string;
  dialed: string;
  now?: number;
  target: Target;
  priority?: RouteDecision["priority"];
  trace: string[];
}

function run(rows: Row[], r: Router = router): void {
  for (const row of rows) {
    const caller = row.caller ?? (row.origin.kind === "extension" ? row.origin.extension : "01012345678");
    const decision = r.route({ dialed: row.dialed, caller, origin: row.origin }, row.now ?? OPEN);
    assert.deepEqual(decision, { target: row.target, priority: row.priority ?? null, trace: row.trace }, row.name);
  }
}

test("internal numbers: extensions, ring groups, number entries with and without schedules", () => {
  run([
    { name: "an extension", origin: ext("1002"), dialed: "1001", target: { kind: "extension", extension: "1001" }, trace: ["extension 1001"] },
    { name: "an extensions entry without a user is an extension", origin: ext("1002"), dialed: "1005", target: { kind: "extension", extension: "1005" }, trace: ["extension 1005"] },
    { name: "a ring group", origin: ext("1002"), dialed: "6000", target: GROUP_6000, trace: [TRACE_6000] },
    {
      name: "a scheduled number, office open", origin: ext("1002"), dialed: "12345", target: GROUP_6000,
      trace: ["number 12345", "schedule office: open (thu 2026-10-08 10:00 in 08:30-12:00)", "→ 6000", TRACE_6000],
    },
    {
      name: "a scheduled number on a holiday", origin: ext("1002"), dialed: "12345", now: HOLIDAY, target: { kind: "extension", extension: "1003" },
      trace: ["number 12345", "schedule office: closed (holiday 2026-10-01)", "→ 1003", "extension 1003"],
    },
    {
      name: "a scheduled number at lunch time", origin: ext("1002"), dialed: "12345", now: utc("2026-10-08T05:00"), target: { kind: "extension", extension: "1003" },
      trace: ["number 12345", "schedule office: closed (thu 2026-10-08 13:00 outside hours)", "→ 1003", "extension 1003"],
    },
    {
      name: "a number entry pointing at a number entry", origin: ext("1002"), dialed: "8001", target: GROUP_6000,
      trace: ["number 8001", "→ 8000", "number 8000", "→ 6000", TRACE_6000],
    },
    {
      name: "trunk:NAME sends the dialled number through the trunk", origin: ext("1002"), dialed: "8002",
      target: { kind: "outbound", route: "trunk:carrier-a", number: "8002", trunks: ["carrier-a"] },
      trace: ["number 8002", "→ trunk:carrier-a", "trunk carrier-a: 8002"],
    },
    {
      name: "trunk:NAME/NUMBER sends that number", origin: ext("1002"), dialed: "8003",
      target: { kind: "outbound", route: "trunk:carrier-a", number: "01087654321", trunks: ["carrier-a"] },
      trace: ["number 8003", "→ trunk:carrier-a/01087654321", "trunk carrier-a: 01087654321"],
    },
    { name: "an unknown number", origin: ext("1002"), dialed: "5555", target: notFound, trace: ["unknown number 5555"] },
    { name: "an empty number", origin: ext("1002"), dialed: "", target: incomplete, trace: ["invalid number ''"] },
    { name: "a number with a space", origin: ext("1002"), dialed: "10 01", target: incomplete, trace: ["invalid number '10 01'"] },
    { name: "a number that reads like a destination", origin: ext("1002"), dialed: "trunk:carrier-a/0044123", target: incomplete, trace: ["invalid number 'trunk:carrier-a/0044123'"] },
  ]);
});

test("blacklist and priority callers, for extensions and trunks alike", () => {
  run([
    { name: "a listed number", origin: trunk("carrier-a"), caller: "13900000000", dialed: "12345", target: busy, trace: ["blacklist: caller 13900000000 matches '13900000000'"] },
    { name: "a listed pattern", origin: trunk("carrier-a"), caller: "075512345678", dialed: "12345", target: busy, trace: ["blacklist: caller 075512345678 matches '0755XXXXXXXX'"] },
    { name: "a trailing-dot pattern", origin: trunk("carrier-b"), caller: "4008001234", dialed: "12345", target: busy, trace: ["blacklist: caller 4008001234 matches '400.'"] },
    { name: "blacklisted before anything, even a feature code", origin: ext("1002"), caller: "4001", dialed: "*78", target: busy, trace: ["blacklist: caller 4001 matches '400.'"] },
    { name: "not listed: one digit more", origin: trunk("carrier-a"), caller: "075512345678" + "9", dialed: "1001", target: { kind: "extension", extension: "1001" }, trace: ["extension 1001"] },
    {
      name: "a priority caller", origin: trunk("carrier-a"), caller: "13800000001", dialed: "12345", target: GROUP_6000, priority: { level: 10, label: "emergency-handset" },
      trace: ["priority 10 (emergency-handset): caller 13800000001 matches '1380000000X'", "number 12345", "schedule office: open (thu 2026-10-08 10:00 in 08:30-12:00)", "→ 6000", TRACE_6000],
    },
    {
      name: "priority is kept on a rejection", origin: trunk("carrier-a"), caller: "13800000009", dialed: "5555", target: notFound, priority: { level: 10, label: "emergency-handset" },
      trace: ["priority 10 (emergency-handset): caller 13800000009 matches '1380000000X'", "unknown number 5555"],
    },
  ]);
});

test("outbound routes and class of service (extensions only)", () => {
  const out = (number: string): Target => ({ kind: "outbound", route: "national", number, trunks: ["carrier-a", "carrier-b"] });
  run([
    {
      name: "international class calls a national mobile", origin: ext("1002"), dialed: "913800000000", target: out("13800000000"),
      trace: ["outbound route national (prefix 9) → 13800000000", "class of service: 13800000000 is national ('1ZXXXXXXXXX'); 1002 has international: allowed"],
    },
    {
      name: "national class calls a national number", origin: ext("1001"), dialed: "901012345678", target: out("01012345678"),
      trace: ["outbound route national (prefix 9) → 01012345678", "class of service: 01012345678 is national ('0ZXXXXXXXX.'); 1001 has national: allowed"],
    },
    {
      name: "national class may not call abroad", origin: ext("1001"), dialed: "90044201234567", target: barred,
      trace: ["outbound route national (prefix 9) → 0044201234567", "class of service: 0044201234567 is international ('00.'); 1001 has national: refused"],
    },
    {
      name: "local class calls a local number", origin: ext("1005"), dialed: "962345678", target: out("62345678"),
      trace: ["outbound route national (prefix 9) → 62345678", "class of service: 62345678 is local ('NXXXXXXX'); 1005 has local: allowed"],
    },
    {
      name: "local class may not call a national number", origin: ext("1005"), dialed: "901012345678", target: barred,
      trace: ["outbound route national (prefix 9) → 01012345678", "class of service: 01012345678 is national ('0ZXXXXXXXX.'); 1005 has local: refused"],
    },
    {
      name: "internal class may not go out at all", origin: ext("1004"), dialed: "962345678", target: barred,
      trace: ["outbound route national (prefix 9) → 62345678", "class of service: 62345678 is local ('NXXXXXXX'); 1004 has internal: refused"],
    },
    {
      name: "an unclassified number needs international: allowed", origin: ext("1002"), dialed: "9110", target: out("110"),
      trace: ["outbound route national (prefix 9) → 110", "class of service: 110 matches no number class (counted as international); 1002 has international: allowed"],
    },
    {
      name: "an unclassified number needs international: refused", origin: ext("1001"), dialed: "9110", target: barred,
      trace: ["outbound route national (prefix 9) → 110", "class of service: 110 matches no number class (counted as international); 1001 has national: refused"],
    },
    { name: "the prefix alone is not a number", origin: ext("1002"), dialed: "9", target: notFound, trace: ["unknown number 9"] },
  ]);
});

test("trunk calls: internal numbers, inbound routes, no transit", () => {
  run([
    { name: "a DID that is a number entry", origin: trunk("carrier-a"), dialed: "12345", target: GROUP_6000, trace: ["number 12345", "schedule office: open (thu 2026-10-08 10:00 in 08:30-12:00)", "→ 6000", TRACE_6000] },
    { name: "an extension dialled directly", origin: trunk("carrier-a"), dialed: "1001", target: { kind: "extension", extension: "1001" }, trace: ["extension 1001"] },
    {
      name: "an inbound route by pattern", origin: trunk("carrier-a"), dialed: "0101234567", target: GROUP_6001,
      trace: ["inbound route 1 (trunk carrier-a, did 0101234XXX)", "→ 6001", "ring group 6001: sequential, members 1003, 1001"],
    },
    {
      name: "did '*' takes anything from its trunk", origin: trunk("carrier-b"), dialed: "99999", target: GROUP_6000,
      trace: ["inbound route 2 (trunk carrier-b, did *)", "→ 8000", "number 8000", "→ 6000", TRACE_6000],
    },
    {
      name: "inbound routes are per trunk", origin: trunk("carrier-a"), dialed: "55555", target: notFound, trace: ["unknown number 55555"],
    },
    {
      name: "a trunk call may not go out again", origin: trunk("carrier-a"), dialed: "90044201234567", target: transit,
      trace: ["outbound route national: a call from trunk carrier-a may not go out again"],
    },
    { name: "no feature codes for trunks", origin: trunk("carrier-a"), dialed: "*78", target: notFound, trace: ["unknown number *78"] },
    { name: "no park for trunks", origin: trunk("carrier-a"), dialed: "705", target: notFound, trace: ["unknown number 705"] },
    {
      name: "a configured transit route is allowed", origin: trunk("carrier-a"), dialed: "8003",
      target: { kind: "outbound", route: "trunk:carrier-a", number: "01087654321", trunks: ["carrier-a"] },
      trace: ["number 8003", "→ trunk:carrier-a/01087654321", "trunk carrier-a: 01087654321"],
    },
  ]);
});

test("feature codes, pickup and park (extensions only)", () => {
  const feature = (action: string, argument: string | null): Target => ({ kind: "feature", action, argument }) as Target;
  run([
    { name: "dnd on", origin: ext("1002"), dialed: "*78", target: feature("dnd-on", null), trace: ["feature code *78: dnd-on"] },
    { name: "dnd off", origin: ext("1002"), dialed: "*79", target: feature("dnd-off", null), trace: ["feature code *79: dnd-off"] },
    { name: "forward always with a number", origin: ext("1002"), dialed: "*721003", target: feature("forward-always", "1003"), trace: ["feature code *72: forward-always 1003"] },
    { name: "forward always without a number", origin: ext("1002"), dialed: "*72", target: feature("forward-always", null), trace: ["feature code *72: forward-always (no number)"] },
    { name: "forward busy", origin: ext("1002"), dialed: "*90913800000000", target: feature("forward-busy", "913800000000"), trace: ["feature code *90: forward-busy 913800000000"] },
    { name: "forward no answer", origin: ext("1002"), dialed: "*921001", target: feature("forward-no-answer", "1001"), trace: ["feature code *92: forward-no-answer 1001"] },
    { name: "forward off", origin: ext("1002"), dialed: "*73", target: feature("forward-off", null), trace: ["feature code *73: forward-off"] },
    { name: "call waiting on", origin: ext("1002"), dialed: "*70", target: feature("call-waiting-on", null), trace: ["feature code *70: call-waiting-on"] },
    { name: "call waiting off", origin: ext("1002"), dialed: "*71", target: feature("call-waiting-off", null), trace: ["feature code *71: call-waiting-off"] },
    { name: "a code without argument takes none", origin: ext("1002"), dialed: "*781", target: notFound, trace: ["unknown number *781"] },
    { name: "pickup", origin: ext("1002"), dialed: "*8", target: { kind: "pickup" }, trace: ["pickup code *8"] },
    { name: "directed pickup", origin: ext("1002"), dialed: "**1001", target: { kind: "directed-pickup", extension: "1001" }, trace: ["directed pickup code **: extension 1001"] },
    { name: "directed pickup of a non-extension", origin: ext("1002"), dialed: "**6000", target: notFound, trace: ["directed pickup code **: '6000' is not an extension"] },
    { name: "directed pickup without an extension", origin: ext("1002"), dialed: "**", target: incomplete, trace: ["directed pickup code **: no extension given"] },
    { name: "the park code", origin: ext("1002"), dialed: "700", target: { kind: "park", slot: null }, trace: ["park code 700: first free slot"] },
    { name: "the first slot", origin: ext("1002"), dialed: "701", target: { kind: "park", slot: "701" }, trace: ["park slot 701"] },
    { name: "the last slot", origin: ext("1002"), dialed: "720", target: { kind: "park", slot: "720" }, trace: ["park slot 720"] },
    { name: "past the last slot", origin: ext("1002"), dialed: "721", target: notFound, trace: ["unknown number 721"] },
    { name: "agent login", origin: ext("1002"), dialed: "*60", target: feature("agent-login", null), trace: ["feature code *60: agent-login"] },
    { name: "agent logout", origin: ext("1002"), dialed: "*61", target: feature("agent-logout", null), trace: ["feature code *61: agent-logout"] },
    { name: "agent break", origin: ext("1002"), dialed: "*62", target: feature("agent-break", null), trace: ["feature code *62: agent-break"] },
    { name: "agent available", origin: ext("1002"), dialed: "*63", target: feature("agent-available", null), trace: ["feature code *63: agent-available"] },
    { name: "agent codes take no argument", origin: ext("1002"), dialed: "*607000", target: notFound, trace: ["unknown number *607000"] },
    { name: "supervisor listen to 1002", origin: ext("1003"), dialed: "*511002", target: feature("supervisor-listen", "1002"), trace: ["feature code *51: supervisor-listen 1002"] },
    { name: "supervisor take-over without agent", origin: ext("1003"), dialed: "*54", target: feature("supervisor-take-over", null), trace: ["feature code *54: supervisor-take-over (no number)"] },
    { name: "force logout of 1001", origin: ext("1003"), dialed: "*581001", target: feature("force-logout", "1001"), trace: ["feature code *58: force-logout 1001"] },
  ]);
  run([
    { name: "no agent codes for trunks", origin: trunk("carrier-a"), dialed: "*60", target: notFound, trace: ["unknown number *60"] },
    { name: "no agent codes for trunks (break)", origin: trunk("carrier-b"), dialed: "*62", target: GROUP_6000, trace: ["inbound route 2 (trunk carrier-b, did *)", "→ 8000", "number 8000", "→ 6000", TRACE_6000] },
  ]);
});

/** The example plan with queue 7000, a number entry and an inbound route that lead to it. */
function queuePlan() {
  const plan = examplePlan();
  plan.queues = {
    "7000": { name: "Citizen hotline", strategy: "longest-idle", members: { "1001": 1, "1002": 2 }, ringSeconds: 15, wrapUpSeconds: 5, maxWaitSeconds: 300, overflow: "1003", maxLength: 50 },
    "7001": { name: null, strategy: "ring-all", members: { "1003": 1 }, ringSeconds: 15, wrapUpSeconds: 5, maxWaitSeconds: null, overflow: null, maxLength: null },
  };
  plan.numbers = { ...plan.numbers, "8100": { destination: "7000" }, "8101": { schedule: "office", open: "7000", closed: "7001" } };
  plan.inboundRoutes = [{ trunk: "carrier-a", did: "4008XXXXXX", destination: "7001" }, ...plan.inboundRoutes];
  return plan;
}

test("queues: dialled, behind number entries and schedules, from inbound routes", () => {
  const r = new Router(queuePlan(), (n) => EXAMPLE_EXTENSIONS.has(n));
  const q = (number: string): Target => ({ kind: "queue", number });
  run([
    { name: "an extension dials a queue", origin: ext("1002"), dialed: "7000", target: q("7000"), trace: ["queue 7000"] },
    { name: "a trunk call to a queue number", origin: trunk("carrier-a"), dialed: "7001", target: q("7001"), trace: ["queue 7001"] },
    { name: "a number entry naming a queue", origin: ext("1002"), dialed: "8100", target: q("7000"), trace: ["number 8100", "→ 7000", "queue 7000"] },
    {
      name: "a schedule, open", origin: trunk("carrier-a"), dialed: "8101", target: q("7000"),
      trace: ["number 8101", "schedule office: open (thu 2026-10-08 10:00 in 08:30-12:00)", "→ 7000", "queue 7000"],
    },
    {
      name: "a schedule, closed", origin: trunk("carrier-a"), dialed: "8101", now: HOLIDAY, target: q("7001"),
      trace: ["number 8101", "schedule office: closed (holiday 2026-10-01)", "→ 7001", "queue 7001"],
    },
    {
      name: "an inbound route naming a queue", origin: trunk("carrier-a"), dialed: "4008123456", target: q("7001"),
      trace: ["inbound route 0 (trunk carrier-a, did 4008XXXXXX)", "→ 7001", "queue 7001"],
    },
    { name: "the inbound route is for trunk calls only", origin: ext("1002"), dialed: "4008123456", target: notFound, trace: ["unknown number 4008123456"] },
  ], r);
});

test("queues: forwards resolve to a queue; ring groups come first, extensions after", () => {
  const plan = queuePlan();
  const input = { dialed: "1001", caller: "01012345678", origin: ext("1001") };
  assert.deepEqual(new Router(plan, (n) => EXAMPLE_EXTENSIONS.has(n)).resolve("7000", input, OPEN), {
    target: { kind: "queue", number: "7000" }, priority: null, trace: ["destination 7000", "queue 7000"],
  });
  // An unchecked plan where one number means three things: the order of resolveNumber decides.
  plan.ringGroups = { ...plan.ringGroups, "7000": { strategy: "simultaneous", members: ["1001"], ringSeconds: 20, memberRingSeconds: 10, noAnswer: null } };
  const shadow = new Router(plan, (n) => EXAMPLE_EXTENSIONS.has(n) || n === "7001");
  assert.deepEqual(shadow.route({ dialed: "7000", caller: "1002", origin: ext("1002") }, OPEN).trace, ["ring group 7000: simultaneous, members 1001"]);
  assert.deepEqual(shadow.route({ dialed: "7001", caller: "1002", origin: ext("1002") }, OPEN), { target: { kind: "queue", number: "7001" }, priority: null, trace: ["queue 7001"] });
});

test("disabled feature codes and a custom park range", () => {
  const plan = examplePlan();
  plan.featureCodes = { ...plan.featureCodes, dndOn: null, directedPickup: "*9" };
  plan.park = { code: null, slots: "01-05", timeoutSeconds: 60 };
  const r = new Router(plan, (n) => EXAMPLE_EXTENSIONS.has(n));
  run([
    { name: "a disabled code is an ordinary number", origin: ext("1002"), dialed: "*78", target: notFound, trace: ["unknown number *78"] },
    { name: "a moved code", origin: ext("1002"), dialed: "*91001", target: { kind: "directed-pickup", extension: "1001" }, trace: ["directed pickup code *9: extension 1001"] },
    { name: "a longer code wins over a shorter one it starts with", origin: ext("1002"), dialed: "*901001", target: { kind: "feature", action: "forward-busy", argument: "1001" }, trace: ["feature code *90: forward-busy 1001"] },
    { name: "no park code", origin: ext("1002"), dialed: "700", target: notFound, trace: ["unknown number 700"] },
    { name: "slots keep their leading zero", origin: ext("1002"), dialed: "05", target: { kind: "park", slot: "05" }, trace: ["park slot 05"] },
    { name: "a slot needs its full width", origin: ext("1002"), dialed: "5", target: notFound, trace: ["unknown number 5"] },
  ], r);
});

test("a route with an empty prefix takes every phone number, never a name", () => {
  const plan = examplePlan();
  plan.outboundRoutes = [{ name: "any", prefix: "", strip: 0, prepend: "", trunks: ["carrier-b"] }];
  run([
    {
      name: "a number", origin: ext("1002"), dialed: "62345678", target: { kind: "outbound", route: "any", number: "62345678", trunks: ["carrier-b"] },
      trace: ["outbound route any (prefix none) → 62345678", "class of service: 62345678 is local ('NXXXXXXX'); 1002 has international: allowed"],
    },
    { name: "a name", origin: ext("1002"), dialed: "alice", target: notFound, trace: ["unknown number alice"] },
  ], new Router(plan, (n) => EXAMPLE_EXTENSIONS.has(n)));
});

test("a loop in an unchecked plan ends with 482 instead of recursing forever", () => {
  const plan = examplePlan();
  plan.numbers = { "100": { destination: "200" }, "200": { destination: "100" } };
  const decision = new Router(plan, () => false).route({ dialed: "100", caller: "1001", origin: ext("1001") }, OPEN);
  assert.deepEqual(decision.target, { kind: "reject", status: 482, reason: "Loop Detected", q850: 25, why: "no-route" });
  assert.equal(decision.trace.length, 9 * 2 + 1);
  assert.equal(decision.trace.at(-1), "loop: more than 8 destinations in a row");
});

test("the extension callback is consulted for numbers the plan does not know", () => {
  const seen: string[] = [];
  const r = new Router(examplePlan(), (n) => (seen.push(n), n === "2001"));
  assert.deepEqual(r.route({ dialed: "2001", caller: "1001", origin: ext("1001") }, OPEN).target, { kind: "extension", extension: "2001" });
  assert.deepEqual(seen, ["2001"]);
});

test("decisions are fresh objects: changing one does not change the plan", () => {
  const a = router.route({ dialed: "6000", caller: "1001", origin: ext("1001") }, OPEN);
  if (a.target.kind !== "ring-group") assert.fail("expected a ring group");
  a.target.members.push("9999");
  assert.deepEqual(router.route({ dialed: "6000", caller: "1001", origin: ext("1001") }, OPEN).target, GROUP_6000);
});
