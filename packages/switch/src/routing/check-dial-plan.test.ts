import { test } from "node:test";
import assert from "node:assert/strict";
import { checkDialPlan, formatIssuePath } from "./check-dial-plan.js";
import { emptyDialPlan } from "./dial-plan.js";
import { EXAMPLE_EXTENSIONS, examplePlan } from "./example-plan.js";

const sources = new Map([...EXAMPLE_EXTENSIONS].map((e, i) => [e, ["users", i, "username"] as const]));

test("the example plan and the empty plan pass", () => {
  assert.deepEqual(checkDialPlan(examplePlan(), sources), []);
  assert.deepEqual(checkDialPlan(emptyDialPlan(), new Map()), []);
});

test("issues carry the key path and say what is wrong (the config tests cover every message)", () => {
  const plan = examplePlan();
  plan.ringGroups["6000"]?.members.push("1009");
  plan.numbers["12345"] = { schedule: "ofice", open: "6000", closed: "1003" };
  plan.outboundRoutes[0]?.trunks.push("carrier-c");
  const issues = checkDialPlan(plan, sources);
  assert.deepEqual(issues.map((i) => `${formatIssuePath(i.path)}: ${i.message}`), [
    "ringGroups.6000.members[2]: '1009' is not an extension (no user or extensions entry)",
    "numbers.12345.schedule: unknown schedule 'ofice'",
    "outboundRoutes[0].trunks[2]: unknown trunk 'carrier-c'",
  ]);
});

test("a user named like a number entry clashes", () => {
  const withUser = new Map([...sources, ["8000", ["users", 9, "username"] as const]]);
  assert.deepEqual(checkDialPlan(examplePlan(), withUser).map((i) => `${formatIssuePath(i.path)}: ${i.message}`), [
    "numbers.8000: '8000' is already an extension (users[9].username)",
  ]);
});

test("overflows between queues that lead back are reported as a cycle, once, naming it", () => {
  const plan = examplePlan();
  const q = { strategy: "linear", members: { "1001": 1 }, ringSeconds: 15, wrapUpSeconds: 0, maxWaitSeconds: 60, maxLength: null };
  plan.queues = { "7000": { ...q, name: "a", overflow: "7001" }, "7001": { ...q, name: "b", overflow: "7002" }, "7002": { ...q, name: "c", overflow: "7000" }, "7003": { ...q, name: "d", overflow: "7000" } };
  const cycles = checkDialPlan(plan, sources).filter((i) => i.message.includes("cycle"));
  assert.deepEqual(cycles.map((i) => [formatIssuePath(i.path), i.message]), [["queues.7000.overflow", "forms an overflow cycle 7000 → 7001 → 7002 → 7000: a caller would bounce between these queues"]]);
  plan.queues["7002"] = { ...q, name: "c", overflow: "1001" };
  assert.deepEqual(checkDialPlan(plan, sources).filter((i) => i.message.includes("cycle")), []);
});

test("overflow cycles through numbers entries (destination, schedule branches) are reported too", () => {
  const plan = examplePlan();
  const q = { strategy: "linear", members: { "1001": 1 }, ringSeconds: 15, wrapUpSeconds: 0, maxWaitSeconds: 60, maxLength: null };
  const cycles = (): string[][] => checkDialPlan(plan, sources).filter((i) => i.message.includes("cycle")).map((i) => [formatIssuePath(i.path), i.message]);
  plan.queues = { "7000": { ...q, name: "a", overflow: "8800" } };
  plan.numbers = { ...plan.numbers, "8800": { destination: "7000" } };
  assert.deepEqual(cycles(), [["queues.7000.overflow", "forms an overflow cycle 7000 → 7000: a caller would bounce between these queues"]]);
  plan.queues = { "7000": { ...q, name: "a", overflow: "8800" }, "7001": { ...q, name: "b", overflow: "7000" } };
  plan.numbers = { ...plan.numbers, "8800": { schedule: "office", open: "1001", closed: "7001" } };
  assert.deepEqual(cycles(), [["queues.7000.overflow", "forms an overflow cycle 7000 → 7001 → 7000: a caller would bounce between these queues"]]);
  plan.numbers = { ...plan.numbers, "8800": { schedule: "office", open: "1001", closed: "1002" } };
  assert.deepEqual(cycles(), []);
});
