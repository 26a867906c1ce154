// @hotline/ivr: prompts and number saying for queue announcements (issue 4); the IVR flow
// interpreter is not built yet (see README.md).
export * from "./say-number.js";
export * from "./queue-prompts.js";
