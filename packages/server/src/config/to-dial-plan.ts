// The validated configuration's dial-plan keys as @hotline/switch's DialPlan (the switch never
// sees zod), with the defaults that depend on other keys filled in.
import { isIP } from "node:net";
import { DEFAULT_MEMBER_RING_SECONDS, type DialPlan, type NumberEntry } from "@hotline/switch";
import type { HotlineConfig } from "./schema.js";

function mapValues<T, U>(record: Record<string, T>, f: (value: T, key: string) => U): Record<string, U> {
  return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, f(v, k)]));
}

export function dialPlanOf(config: HotlineConfig): DialPlan {
  const ringSeconds = config.calls.ringSeconds;
  return {
    calls: config.calls,
    extensionDefaults: config.extensionDefaults,
    extensions: config.extensions,
    ringGroups: mapValues(config.ringGroups, (g) => {
      const total = g.ringSeconds ?? ringSeconds;
      return { ...g, ringSeconds: total, memberRingSeconds: g.memberRingSeconds ?? Math.min(DEFAULT_MEMBER_RING_SECONDS, total) };
    }),
    // Members in the switch's form: ext → skill level, and the weights (≠ 1) and orders (≠ 0) beside.
    queues: mapValues(config.queues, (q) => ({
      ...q,
      members: mapValues(q.members, (m) => m.skill),
      weights: Object.fromEntries(Object.entries(q.members).flatMap(([ext, m]) => (m.weight === 1 ? [] : [[ext, m.weight]]))),
      orders: Object.fromEntries(Object.entries(q.members).flatMap(([ext, m]) => (m.order === 0 ? [] : [[ext, m.order]]))),
    })),
    agents: config.agents,
    schedules: config.schedules,
    numbers: mapValues(config.numbers, (e): NumberEntry => {
      // The schema guarantees one of the two forms.
      if (e.destination !== undefined) return { destination: e.destination };
      return { schedule: e.schedule ?? "", open: e.open ?? "", closed: e.closed ?? "" };
    }),
    blacklist: config.blacklist,
    priorityCallers: config.priorityCallers.map((p) => ({ ...p, label: p.label ?? p.pattern })),
    numberClasses: config.numberClasses,
    trunks: mapValues(config.trunks, (t) => ({ ...t, match: t.match ?? (isIP(t.host) !== 0 ? [t.host] : []) })),
    outboundRoutes: config.outboundRoutes,
    inboundRoutes: config.inboundRoutes,
    featureCodes: config.featureCodes,
    park: config.park,
  };
}
