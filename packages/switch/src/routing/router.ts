// The dial plan as a pure function: "caller X (an extension or a trunk) dialled Y at time T —
// where does it go?" Everything is compiled once in the constructor; route() reads no clock
// (`now` is an argument) and does no I/O. Order (first match wins):
//   blacklist (caller) → priority (caller) → feature codes / pickup / park (extensions only)
//   → numbers (schedule → destination, recursively) → ring groups → queues → extensions
//   → outbound routes (extensions only, class of service) | inbound routes (trunks only)
//   → 404.
// A trunk call whose number would go out again is refused (403, no transit: toll fraud); that
// check comes after the inbound routes so a DID that looks like an outbound number still
// reaches its destination.
import type { DialPlan, NumberEntry, RingGroup } from "./dial-plan.js";
import { isDialable, parseDestination } from "./destination.js";
import { FeatureTable } from "./features.js";
import { UNCLASSIFIED_NEEDS, classAllows, OutboundTable } from "./outbound.js";
import { compilePattern, PatternSet, type PatternMatcher, type SourcedMatcher } from "./pattern.js";
import { LOOP_REJECT, rejection, type RouteDecision, type RouteInput, type Target } from "./route-types.js";
import { CompiledSchedule } from "./schedule.js";
import { effectiveSettings, type EffectiveSettings, type ExtensionSettingsOverride } from "./settings.js";
import { normalizeInbound, TrunkMatcher } from "./trunk-numbers.js";

/** Longest chain of number entries (number → number → …) followed before calling it a loop. */
export const MAX_DESTINATION_DEPTH = 8;

interface Walk {
  input: RouteInput;
  now: number;
  trace: string[];
}

interface CompiledInbound {
  index: number;
  trunk: string;
  did: string;
  destination: string;
  match: PatternMatcher;
}

function ownEntries<T>(record: Readonly<Record<string, T>>): Map<string, T> {
  return new Map(Object.entries(record));
}

export class Router {
  private readonly blacklist: PatternSet;
  private readonly priorities: { matcher: SourcedMatcher; level: number; label: string }[];
  private readonly features: FeatureTable;
  private readonly outbound: OutboundTable;
  private readonly numbers: Map<string, NumberEntry>;
  private readonly ringGroups: Map<string, RingGroup>;
  /** Queue numbers: the call manager looks the entry up itself when it enqueues. */
  private readonly queues: ReadonlySet<string>;
  private readonly schedules: Map<string, CompiledSchedule>;
  private readonly inbound: CompiledInbound[];
  private readonly trunkMatcher: TrunkMatcher;

  /**
   * @param extensions whether a number is a known extension (a user in the store); entries
   *   of the plan's `extensions` section count as extensions too.
   */
  constructor(
    private readonly plan: DialPlan,
    private readonly extensions: (ext: string) => boolean,
  ) {
    this.blacklist = new PatternSet(plan.blacklist);
    this.priorities = plan.priorityCallers.map((p) => ({ matcher: { source: p.pattern, match: compilePattern(p.pattern) }, level: p.priority, label: p.label }));
    this.features = new FeatureTable(plan.featureCodes, plan.park);
    this.outbound = new OutboundTable(plan.outboundRoutes, plan.numberClasses);
    this.numbers = ownEntries(plan.numbers);
    this.ringGroups = ownEntries(plan.ringGroups);
    this.queues = new Set(Object.keys(plan.queues));
    this.schedules = new Map(Object.entries(plan.schedules).map(([name, s]) => [name, new CompiledSchedule(s)]));
    this.inbound = plan.inboundRoutes.map((r, index) => ({ index, ...r, match: r.did === "*" ? () => true : compilePattern(r.did) }));
    this.trunkMatcher = new TrunkMatcher(plan.trunks);
  }

  isExtension(number: string): boolean {
    return this.extensions(number) || Object.hasOwn(this.plan.extensions, number);
  }

  /** Where a new call goes. */
  route(input: RouteInput, now: number): RouteDecision {
    const trace: string[] = [];
    const banned = this.blacklist.find(input.caller);
    if (banned !== null) {
      trace.push(`blacklist: caller ${input.caller} matches '${banned}'`);
      return { target: rejection("blacklisted"), priority: null, trace };
    }
    const priority = this.priorityOf(input.caller, trace);
    if (!isDialable(input.dialed)) {
      trace.push(`invalid number '${input.dialed}'`);
      return { target: rejection("invalid-number"), priority, trace };
    }
    if (input.origin.kind === "extension") {
      const feature = this.features.match(input.dialed, (n) => this.isExtension(n));
      if (feature) {
        trace.push(feature.trace);
        return { target: feature.target, priority, trace };
      }
    }
    const target = this.resolveNumber(input.dialed, { input, now, trace }, 0, true);
    return { target, priority, trace };
  }

  /**
   * Where a configured or user-set destination leads: a forward, a follow-me number, a ring
   * group's noAnswer. `input.origin` is the party the number is dialled for (the forwarding
   * extension, whose class of service applies); `input.dialed` is what the caller originally
   * dialled (sent on by a bare `trunk:NAME`). Blacklist and feature codes do not apply.
   */
  resolve(destination: string, input: RouteInput, now: number): RouteDecision {
    const trace = [`destination ${destination}`];
    const priority = this.priorityOf(input.caller, trace);
    const target = this.resolveDestination(destination, { input, now, trace }, 0);
    return { target, priority, trace };
  }

  effectiveSettings(extension: string, overrides: ExtensionSettingsOverride | null): EffectiveSettings {
    return effectiveSettings(this.plan, extension, overrides);
  }

  /** The dialling form of a number received on trunk `trunk` (see normalizeInbound). */
  normalizeInbound(trunk: string, number: string): string {
    const t = Object.hasOwn(this.plan.trunks, trunk) ? this.plan.trunks[trunk] : undefined;
    return normalizeInbound(t ?? null, number);
  }

  /** The trunk whose `match` list covers this source address, or null. */
  trunkForSource(address: string, port: number): string | null {
    return this.trunkMatcher.trunkFor(address, port);
  }

  private priorityOf(caller: string, trace: string[]): RouteDecision["priority"] {
    const p = this.priorities.find((x) => x.matcher.match(caller));
    if (!p) return null;
    trace.push(`priority ${p.level} (${p.label}): caller ${caller} matches '${p.matcher.source}'`);
    return { level: p.level, label: p.label };
  }

  private resolveDestination(destination: string, walk: Walk, depth: number): Target {
    const d = parseDestination(destination);
    if (d === null) {
      walk.trace.push(`invalid destination '${destination}'`);
      return rejection("invalid-number");
    }
    if (d.kind === "internal") return this.resolveNumber(d.number, walk, depth, false);
    const number = d.number ?? walk.input.dialed;
    walk.trace.push(`trunk ${d.trunk}: ${number}`);
    return { kind: "outbound", route: `trunk:${d.trunk}`, number, trunks: [d.trunk] };
  }

  /** `asDialled`: the number came from the caller (inbound routes apply), not from the plan. */
  private resolveNumber(number: string, walk: Walk, depth: number, asDialled: boolean): Target {
    const { trace } = walk;
    if (depth > MAX_DESTINATION_DEPTH) {
      trace.push(`loop: more than ${MAX_DESTINATION_DEPTH} destinations in a row`);
      return { ...LOOP_REJECT };
    }
    const entry = this.numbers.get(number);
    if (entry) {
      trace.push(`number ${number}`);
      const next = this.entryDestination(entry, walk);
      trace.push(`→ ${next}`);
      return this.resolveDestination(next, walk, depth + 1);
    }
    const group = this.ringGroups.get(number);
    if (group) {
      trace.push(`ring group ${number}: ${group.strategy}, members ${group.members.join(", ")}`);
      return { kind: "ring-group", number, ...group, members: [...group.members] };
    }
    if (this.queues.has(number)) {
      trace.push(`queue ${number}`);
      return { kind: "queue", number };
    }
    if (this.isExtension(number)) {
      trace.push(`extension ${number}`);
      return { kind: "extension", extension: number };
    }
    const origin = walk.input.origin;
    if (origin.kind === "extension") return this.outboundFor(number, origin.extension, trace);
    if (asDialled) {
      const r = this.inbound.find((x) => x.trunk === origin.trunk && x.match(number));
      if (r) {
        trace.push(`inbound route ${r.index} (trunk ${r.trunk}, did ${r.did})`);
        trace.push(`→ ${r.destination}`);
        return this.resolveDestination(r.destination, walk, depth + 1);
      }
    }
    const out = this.outbound.match(number);
    if (out) {
      trace.push(`outbound route ${out.route.name}: a call from trunk ${origin.trunk} may not go out again`);
      return rejection("no-route");
    }
    trace.push(`unknown number ${number}`);
    return rejection("unknown-number");
  }

  private entryDestination(entry: NumberEntry, walk: Walk): string {
    if ("destination" in entry) return entry.destination;
    const schedule = this.schedules.get(entry.schedule);
    if (!schedule) {
      walk.trace.push(`schedule ${entry.schedule}: unknown, counted as closed`);
      return entry.closed;
    }
    const state = schedule.state(walk.now);
    walk.trace.push(`schedule ${entry.schedule}: ${state.open ? "open" : "closed"} (${state.reason})`);
    return state.open ? entry.open : entry.closed;
  }

  private outboundFor(number: string, extension: string, trace: string[]): Target {
    const m = this.outbound.match(number);
    if (!m) {
      trace.push(`unknown number ${number}`);
      return rejection("unknown-number");
    }
    trace.push(`outbound route ${m.route.name} (prefix ${m.route.prefix === "" ? "none" : m.route.prefix}) → ${m.number}`);
    if (m.number === "") {
      trace.push("nothing left to dial");
      return rejection("invalid-number");
    }
    const cos = this.effectiveSettings(extension, null).classOfService;
    const c = this.outbound.classify(m.number);
    const cls = c?.cls ?? UNCLASSIFIED_NEEDS;
    const what = c ? `${m.number} is ${c.cls} ('${c.pattern}')` : `${m.number} matches no number class (counted as ${UNCLASSIFIED_NEEDS})`;
    const allowed = classAllows(cos, cls);
    trace.push(`class of service: ${what}; ${extension} has ${cos}: ${allowed ? "allowed" : "refused"}`);
    if (!allowed) return rejection("class-of-service");
    return { kind: "outbound", route: m.route.name, number: m.number, trunks: [...m.route.trunks] };
  }
}
