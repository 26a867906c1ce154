// @hotline/acd: pure ACD core (strategies and the sans-IO engine); see README.md.
export * from "./strategies/index.js";
export * from "./acd-types.js";
export * from "./acd-engine.js";
export * from "./queue-stats.js";
