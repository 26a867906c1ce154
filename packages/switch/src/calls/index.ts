export * from "./ports.js";
export * from "./call.js";
export * from "./call-context.js";
export * from "./call-manager.js";
export * from "./call-recorder.js";
export * from "./digest-client.js";
export { dialogKey, dialogKeyOf } from "./dialog-key.js";
