export * from "./store.js";
export * from "./auth/index.js";
export * from "./metrics.js";
export * from "./registrar/registrar.js";
export { contactKey } from "./registrar/register-request.js";
export * from "./sip-service.js";
export * from "./routing/index.js";
export * from "./calls/index.js";
