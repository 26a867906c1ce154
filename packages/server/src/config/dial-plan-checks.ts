// Cross-key checks of the dial plan: the switch's checkDialPlan does the work; this file says
// which keys declare extensions (users, demo extensions) and turns its findings into ConfigIssues.
import { checkDialPlan, type IssuePath } from "@hotline/switch";
import type { ConfigIssue } from "./issues.js";
import type { HotlineConfig } from "./schema.js";
import { dialPlanOf } from "./to-dial-plan.js";

/** Every extension the file declares, with the key that declares it first. */
export function extensionSources(config: HotlineConfig): Map<string, IssuePath> {
  const sources = new Map<string, IssuePath>();
  config.users.forEach((u, i) => {
    if (!sources.has(u.username)) sources.set(u.username, ["users", i, "username"]);
  });
  config.demo.extensions.forEach((e, i) => {
    if (!sources.has(e)) sources.set(e, ["demo", "extensions", i]);
  });
  return sources;
}

export function checkDialPlanKeys(config: HotlineConfig): ConfigIssue[] {
  return checkDialPlan(dialPlanOf(config), extensionSources(config)).map((i) => ({
    path: i.path,
    message: i.message,
    ...(i.atKey !== undefined && { atKey: i.atKey }),
    ...(i.showValue !== undefined && { showValue: i.showValue }),
  }));
}
