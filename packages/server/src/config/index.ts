export { dialPlanOf } from "./to-dial-plan.js";
export { extensionSources } from "./dial-plan-checks.js";
export { loadConfig, parseConfig, redactConfig, type LoadConfigResult } from "./load-config.js";
export {
  DEFAULT_PORTS, LISTEN_TRANSPORTS, LOG_LEVELS, DIGEST_ALGORITHMS, KEEPALIVE_METHODS,
  usernameProblem, passwordProblem, PASSWORD_MIN_LENGTH,
  type HotlineConfig, type ListenConfig, type ListenTransport,
} from "./schema.js";
