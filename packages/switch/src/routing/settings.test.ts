import { test } from "node:test";
import assert from "node:assert/strict";
import { EXAMPLE_EXTENSIONS, examplePlan } from "./example-plan.js";
import { Router } from "./router.js";
import { effectiveSettings, type ExtensionSettingsOverride } from "./settings.js";

const router = new Router(examplePlan(), (n) => EXAMPLE_EXTENSIONS.has(n));
const NO_CHANGE: ExtensionSettingsOverride = { dnd: null, callWaiting: null, forwardAlways: null, forwardBusy: null, forwardNoAnswer: null };

test("an extension with an entry: the entry's settings", () => {
  const expected = {
    callWaiting: true, dnd: false, forwardAlways: null, forwardBusy: "1002", forwardNoAnswer: "1003", noAnswerSeconds: 20,
    followMe: { numbers: ["1002", "913800000000"], ringSeconds: 15 }, classOfService: "national", pickupGroup: "front", callerIdName: "Front desk",
  };
  assert.deepEqual(router.effectiveSettings("1001", null), expected);
  assert.deepEqual(router.effectiveSettings("1001", NO_CHANGE), expected);
});

test("an extension without an entry: extensionDefaults", () => {
  const plan = examplePlan();
  plan.extensionDefaults = { callWaiting: false, dnd: true, classOfService: "local", noAnswerSeconds: 25 };
  assert.deepEqual(effectiveSettings(plan, "1002", null), {
    callWaiting: false, dnd: true, forwardAlways: null, forwardBusy: null, forwardNoAnswer: null, noAnswerSeconds: 25,
    followMe: null, classOfService: "local", pickupGroup: null, callerIdName: null,
  });
  // An entry that leaves a setting out takes the default too.
  assert.equal(effectiveSettings(plan, "1004", null).noAnswerSeconds, 25);
  assert.equal(effectiveSettings(plan, "1004", null).classOfService, "internal");
});

test("run-time overrides win; an empty forward turns a configured one off", () => {
  const s = router.effectiveSettings("1001", { dnd: true, callWaiting: false, forwardAlways: "1005", forwardBusy: "", forwardNoAnswer: null });
  assert.equal(s.dnd, true);
  assert.equal(s.callWaiting, false);
  assert.equal(s.forwardAlways, "1005");
  assert.equal(s.forwardBusy, null);
  assert.equal(s.forwardNoAnswer, "1003");
  assert.equal(s.classOfService, "national");
});

test("names inherited from Object.prototype are not extensions entries", () => {
  assert.equal(router.effectiveSettings("constructor", null).classOfService, "international");
  assert.equal(router.isExtension("constructor"), false);
  assert.equal(router.isExtension("toString"), false);
});

test("the returned follow-me list is a copy", () => {
  const s = router.effectiveSettings("1001", null);
  s.followMe?.numbers.push("x");
  assert.deepEqual(router.effectiveSettings("1001", null).followMe?.numbers, ["1002", "913800000000"]);
});
