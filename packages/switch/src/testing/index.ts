// Test helpers for packages that build on @hotline/switch (exported as "@hotline/switch/testing",
// source condition only: none of this is part of the build).
export { createMemoryStore, type MemoryStore } from "./memory-store.js";
export { storeContract, sampleUser, sampleBinding } from "./store-contract.js";
export { T0, sampleCdr, sampleLeg, sampleActiveCall, sampleMissedCall, sampleSettings } from "./call-record-samples.js";
