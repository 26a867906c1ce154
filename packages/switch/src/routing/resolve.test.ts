import { test } from "node:test";
import assert from "node:assert/strict";
import { EXAMPLE_EXTENSIONS, examplePlan } from "./example-plan.js";
import { Router } from "./router.js";

const OPEN = Date.parse("2026-10-08T02:00Z");
const router = new Router(examplePlan(), (n) => EXAMPLE_EXTENSIONS.has(n));

test("resolve: a forward to an extension, for a trunk caller", () => {
  assert.deepEqual(router.resolve("1003", { dialed: "12345", caller: "01012345678", origin: { kind: "trunk", trunk: "carrier-a" } }, OPEN), {
    target: { kind: "extension", extension: "1003" },
    priority: null,
    trace: ["destination 1003", "extension 1003"],
  });
});

test("resolve: follow-me to a mobile goes out with the forwarding extension's class of service", () => {
  const input = { dialed: "1001", caller: "01012345678", origin: { kind: "extension", extension: "1001" } } as const;
  assert.deepEqual(router.resolve("913800000000", input, OPEN), {
    target: { kind: "outbound", route: "national", number: "13800000000", trunks: ["carrier-a", "carrier-b"] },
    priority: null,
    trace: ["destination 913800000000", "outbound route national (prefix 9) → 13800000000", "class of service: 13800000000 is national ('1ZXXXXXXXXX'); 1001 has national: allowed"],
  });
  assert.deepEqual(router.resolve("90044201234567", input, OPEN).target, { kind: "reject", status: 403, reason: "Class of service", q850: 52, why: "class-of-service" });
});

test("resolve: a user-set forward to an external number is refused on behalf of a trunk", () => {
  const d = router.resolve("913800000000", { dialed: "12345", caller: "01012345678", origin: { kind: "trunk", trunk: "carrier-a" } }, OPEN);
  assert.deepEqual(d.target, { kind: "reject", status: 403, reason: "Transit not allowed", q850: 21, why: "no-route" });
});

test("resolve: trunk:NAME sends the originally dialled number; priority and schedules apply, feature codes do not", () => {
  const input = { dialed: "12345", caller: "13800000001", origin: { kind: "trunk", trunk: "carrier-a" } } as const;
  assert.deepEqual(router.resolve("trunk:carrier-b", input, OPEN), {
    target: { kind: "outbound", route: "trunk:carrier-b", number: "12345", trunks: ["carrier-b"] },
    priority: { level: 10, label: "emergency-handset" },
    trace: ["destination trunk:carrier-b", "priority 10 (emergency-handset): caller 13800000001 matches '1380000000X'", "trunk carrier-b: 12345"],
  });
  assert.deepEqual(router.resolve("12345", input, Date.parse("2026-10-01T02:00Z")).trace, [
    "destination 12345", "priority 10 (emergency-handset): caller 13800000001 matches '1380000000X'",
    "number 12345", "schedule office: closed (holiday 2026-10-01)", "→ 1003", "extension 1003",
  ]);
  assert.deepEqual(router.resolve("*78", { ...input, origin: { kind: "extension", extension: "1002" } }, OPEN).target, { kind: "reject", status: 404, reason: "Not Found", q850: 1, why: "unknown-number" });
});

test("resolve: a malformed destination (only in an unchecked plan) is refused, not thrown", () => {
  const d = router.resolve("trunk:", { dialed: "1", caller: "1001", origin: { kind: "extension", extension: "1001" } }, OPEN);
  assert.deepEqual(d, { target: { kind: "reject", status: 484, reason: "Address Incomplete", q850: 28, why: "invalid-number" }, priority: null, trace: ["destination trunk:", "invalid destination 'trunk:'"] });
});
