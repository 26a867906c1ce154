// Test helpers for packages that build on @hotline/sip (exported as "@hotline/sip/testing",
// source condition only: none of this is part of the build).
export { FakeClock } from "./fake-clock.js";
export * from "./loop-network.js";
export { seededRandom } from "./seeded-random.js";
export * from "./sip-messages.js";
export * from "./transaction-helpers.js";
