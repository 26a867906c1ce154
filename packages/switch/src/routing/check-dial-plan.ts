// Checks across keys of a dial plan whose fields are each valid on their own (the server's
// schema checks those): every name and number a key refers to exists, times are ordered,
// nothing is declared twice. Each issue carries the path of the key to fix.
import { DEFAULT_QUEUE, type DialPlan, type ExtensionEntry, type Schedule } from "./dial-plan.js";
import { checkLoops, checkOverlaps, type DialPlanIssue, type IssuePath } from "./check-numbering.js";
import { parseDestination } from "./destination.js";
import { classAllows, OutboundTable, UNCLASSIFIED_NEEDS } from "./outbound.js";
import { parseTime } from "./schedule.js";
import { canonicalAddress, parseTrunkSource } from "./trunk-numbers.js";

export { formatIssuePath, type DialPlanIssue, type IssuePath } from "./check-numbering.js";

interface Context {
  plan: DialPlan;
  isExtension: (n: string) => boolean;
  outbound: OutboundTable;
}

function duplicates(values: readonly string[], path: (i: number) => IssuePath, what: string): DialPlanIssue[] {
  const first = new Map<string, number>();
  const issues: DialPlanIssue[] = [];
  values.forEach((v, i) => {
    const earlier = first.get(v);
    if (earlier === undefined) first.set(v, i);
    else issues.push({ path: path(i), message: `duplicate ${what}, already at index ${earlier}` });
  });
  return issues;
}

/** A configured destination: an internal number or trunk:NAME[/NUMBER]. */
function checkDestination(ctx: Context, dest: string, path: IssuePath): DialPlanIssue[] {
  const d = parseDestination(dest);
  if (d === null) return []; // the schema reports the syntax
  if (d.kind === "trunk") {
    return Object.hasOwn(ctx.plan.trunks, d.trunk) ? [] : [{ path, showValue: false, message: `unknown trunk '${d.trunk}'` }];
  }
  const n = d.number;
  const { ringGroups, queues, numbers } = ctx.plan;
  if (ctx.isExtension(n) || Object.hasOwn(ringGroups, n) || Object.hasOwn(queues, n) || Object.hasOwn(numbers, n)) return [];
  return [{ path, showValue: false, message: `'${n}' is not an extension, ring group, queue or number entry` }];
}

/** A forward or follow-me target: a destination, or an external number this extension may dial. */
function checkForwardTarget(ctx: Context, ext: string, entry: ExtensionEntry, dest: string, path: IssuePath): DialPlanIssue[] {
  const d = parseDestination(dest);
  if (d === null || d.kind === "trunk") return checkDestination(ctx, dest, path);
  if (checkDestination(ctx, dest, path).length === 0) return [];
  const m = ctx.outbound.match(d.number);
  if (!m) return [{ path, showValue: false, message: `'${dest}' is not an internal number and no outbound route matches it` }];
  const cos = entry.classOfService ?? ctx.plan.extensionDefaults.classOfService;
  const cls = ctx.outbound.classify(m.number)?.cls ?? UNCLASSIFIED_NEEDS;
  if (classAllows(cos, cls)) return [];
  const article = cls === "international" ? "an" : "a";
  return [{ path, showValue: false, message: `'${dest}' goes out as ${m.number}, ${article} ${cls} number, but extension ${ext} has classOfService ${cos}` }];
}

function checkExtensions(ctx: Context): DialPlanIssue[] {
  const issues: DialPlanIssue[] = [];
  for (const [ext, entry] of Object.entries(ctx.plan.extensions)) {
    for (const key of ["always", "busy", "noAnswer"] as const) {
      const dest = entry.forward[key];
      if (dest !== null) issues.push(...checkForwardTarget(ctx, ext, entry, dest, ["extensions", ext, "forward", key]));
    }
    entry.followMe?.numbers.forEach((dest, i) => issues.push(...checkForwardTarget(ctx, ext, entry, dest, ["extensions", ext, "followMe", "numbers", i])));
  }
  return issues;
}

function checkRingGroups(ctx: Context): DialPlanIssue[] {
  const issues: DialPlanIssue[] = [];
  for (const [n, g] of Object.entries(ctx.plan.ringGroups)) {
    const at = ["ringGroups", n];
    g.members.forEach((m, i) => {
      if (!ctx.isExtension(m)) issues.push({ path: [...at, "members", i], showValue: false, message: `'${m}' is not an extension (no user or extensions entry)` });
    });
    issues.push(...duplicates(g.members, (i) => [...at, "members", i], "member"));
    if (g.memberRingSeconds > g.ringSeconds) issues.push({ path: [...at, "memberRingSeconds"], message: `must not be greater than ringSeconds (${g.ringSeconds})` });
    if (g.noAnswer !== null) issues.push(...checkDestination(ctx, g.noAnswer, [...at, "noAnswer"]));
  }
  return issues;
}

function checkQueues(ctx: Context): DialPlanIssue[] {
  const issues: DialPlanIssue[] = [];
  for (const [n, q] of Object.entries(ctx.plan.queues)) {
    const at = ["queues", n];
    for (const m of Object.keys(q.members)) {
      if (!ctx.isExtension(m)) issues.push({ path: [...at, "members", m], atKey: true, showValue: false, message: `'${m}' is not an extension (no user or extensions entry)` });
    }
    const supervisors = q.supervisors ?? [];
    supervisors.forEach((sup, i) => {
      if (!ctx.isExtension(sup)) issues.push({ path: [...at, "supervisors", i], showValue: false, message: `'${sup}' is not an extension (no user or extensions entry)` });
    });
    issues.push(...duplicates(supervisors, (i) => [...at, "supervisors", i], "supervisor"));
    // Without a place to send the caller, a wait limit could only hang up on them.
    if (q.maxWaitSeconds !== null && q.overflow === null) issues.push({ path: [...at, "maxWaitSeconds"], message: "needs overflow: where a caller goes after waiting this long" });
    // An overflow nothing sends callers to would be silently ignored: say which key uses it.
    const joinRefuses = (q.joinWhenNoAgents ?? DEFAULT_QUEUE.joinWhenNoAgents) === false;
    const leaves = q.leaveWhenNoAgents ?? DEFAULT_QUEUE.leaveWhenNoAgents;
    if (q.overflow !== null && q.maxWaitSeconds === null && !joinRefuses && !leaves) {
      issues.push({ path: [...at, "overflow"], showValue: false, message: "is never used: also set maxWaitSeconds, joinWhenNoAgents: false or leaveWhenNoAgents: true" });
    }
    if (q.overflow === n) issues.push({ path: [...at, "overflow"], showValue: false, message: "must not be the queue itself" });
    else if (q.overflow !== null) issues.push(...checkDestination(ctx, q.overflow, [...at, "overflow"]));
  }
  issues.push(...overflowCycles(ctx.plan));
  return issues;
}

/**
 * Queues whose overflows lead back to themselves (A → B → A), directly or through `numbers`
 * entries (overflow "8000", numbers 8000 → 7000; a schedule's open and closed branches both
 * count): a caller would bounce between them (the switch stops such a caller with 480 at run
 * time). One issue per cycle, at the first of its queues in the file, naming the whole cycle; a
 * queue overflowing straight to itself is reported above.
 */
function overflowCycles(plan: Pick<DialPlan, "queues" | "numbers">): DialPlanIssue[] {
  const { queues } = plan;
  const issues: DialPlanIssue[] = [];
  const reported = new Set<string>();
  const names = Object.keys(queues);
  const next = new Map(names.map((q) => [q, overflowQueues(plan, queues[q]?.overflow ?? null)]));
  // Depth-first from each queue in file order; a queue on the current path reached again closes
  // a cycle. Bounded: each queue is expanded once per start, and there are finitely many.
  const search = (path: string[], done: Set<string>): void => {
    const cur = path.at(-1);
    if (cur === undefined) return;
    for (const to of next.get(cur) ?? []) {
      const at = path.indexOf(to);
      if (at >= 0) {
        const cycle = path.slice(at);
        // A queue whose overflow is itself is reported by checkQueues.
        if ((cycle.length === 1 && queues[to]?.overflow === to) || cycle.some((q) => reported.has(q))) continue;
        for (const q of cycle) reported.add(q);
        const first = names.find((q) => cycle.includes(q)) ?? to;
        const from = cycle.indexOf(first);
        const ordered = [...cycle.slice(from), ...cycle.slice(0, from), first];
        issues.push({ path: ["queues", first, "overflow"], showValue: false, message: `forms an overflow cycle ${ordered.join(" → ")}: a caller would bounce between these queues` });
      } else if (!done.has(to)) {
        done.add(to);
        search([...path, to], done);
      }
    }
  };
  for (const start of names) search([start], new Set([start]));
  return issues;
}

/** The queues an overflow destination leads to: a queue, or through `numbers` entries (every branch). */
function overflowQueues(plan: Pick<DialPlan, "queues" | "numbers">, destination: string | null): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  const walk = (dest: string): void => {
    // Bounded: each number is followed once.
    if (seen.has(dest)) return;
    seen.add(dest);
    if (Object.hasOwn(plan.queues, dest)) return void out.push(dest);
    const entry = Object.hasOwn(plan.numbers, dest) ? plan.numbers[dest] : undefined;
    if (entry === undefined) return;
    if ("destination" in entry) walk(entry.destination);
    else {
      walk(entry.open);
      walk(entry.closed);
    }
  };
  if (destination !== null) walk(destination);
  return out;
}

/** `agents.<ext>` settings only mean something for an extension that is some queue's member. */
function checkAgents(ctx: Context): DialPlanIssue[] {
  const members = new Set(Object.values(ctx.plan.queues).flatMap((q) => Object.keys(q.members)));
  return Object.keys(ctx.plan.agents ?? {}).flatMap((ext): DialPlanIssue[] => {
    const at = ["agents", ext];
    if (!ctx.isExtension(ext)) return [{ path: at, atKey: true, showValue: false, message: `'${ext}' is not an extension (no user or extensions entry)` }];
    if (!members.has(ext)) return [{ path: at, atKey: true, showValue: false, message: `'${ext}' is not a member of any queue` }];
    return [];
  });
}

function checkNumbers(ctx: Context): DialPlanIssue[] {
  const issues: DialPlanIssue[] = [];
  for (const [n, entry] of Object.entries(ctx.plan.numbers)) {
    const at = ["numbers", n];
    if ("destination" in entry) {
      issues.push(...checkDestination(ctx, entry.destination, [...at, "destination"]));
      continue;
    }
    if (!Object.hasOwn(ctx.plan.schedules, entry.schedule)) issues.push({ path: [...at, "schedule"], showValue: false, message: `unknown schedule '${entry.schedule}'` });
    issues.push(...checkDestination(ctx, entry.open, [...at, "open"]), ...checkDestination(ctx, entry.closed, [...at, "closed"]));
  }
  return issues;
}

function checkSchedule(name: string, s: Schedule): DialPlanIssue[] {
  const at = ["schedules", name];
  const issues: DialPlanIssue[] = [];
  s.open.forEach((h, i) => {
    const from = parseTime(h.from);
    const to = parseTime(h.to);
    if (from !== null && to !== null && from >= to) issues.push({ path: [...at, "open", i], showValue: false, message: `from '${h.from}' is not before to '${h.to}'` });
    issues.push(...duplicates(h.days, (j) => [...at, "open", i, "days", j], "day"));
  });
  issues.push(...duplicates(s.holidays, (i) => [...at, "holidays", i], "holiday"));
  issues.push(...duplicates(s.workdays, (i) => [...at, "workdays", i], "workday"));
  const holidays = new Set(s.holidays);
  s.workdays.forEach((d, i) => {
    if (holidays.has(d)) issues.push({ path: [...at, "workdays", i], showValue: false, message: `'${d}' is also a holiday` });
  });
  if (s.workdays.length > 0 && !s.open.some((h) => h.days.includes("mon"))) {
    issues.push({ path: [...at, "workdays"], showValue: false, message: "make-up workdays open with mon's hours, but open lists no hours for mon" });
  }
  return issues;
}

function checkTrunks(plan: DialPlan): DialPlanIssue[] {
  const issues: DialPlanIssue[] = [];
  const owner = new Map<string, string>();
  for (const [name, t] of Object.entries(plan.trunks)) {
    t.match.forEach((entry, i) => {
      const source = parseTrunkSource(entry);
      if (!source) return; // the schema reports the syntax
      const key = `${canonicalAddress(source.address)}|${source.port ?? "*"}`;
      const earlier = owner.get(key);
      if (earlier === undefined) owner.set(key, name);
      else issues.push({ path: ["trunks", name, "match", i], showValue: false, message: `'${entry}' is already matched by trunk '${earlier}'` });
    });
  }
  return issues;
}

function checkTrunkList(plan: DialPlan, trunks: readonly string[], at: IssuePath): DialPlanIssue[] {
  const issues = duplicates(trunks, (i) => [...at, i], "trunk");
  trunks.forEach((t, i) => {
    if (!Object.hasOwn(plan.trunks, t)) issues.push({ path: [...at, i], showValue: false, message: `unknown trunk '${t}'` });
  });
  return issues;
}

function checkOutboundRoutes(plan: DialPlan): DialPlanIssue[] {
  const routes = plan.outboundRoutes;
  const issues = duplicates(routes.map((r) => r.name), (i) => ["outboundRoutes", i, "name"], "route name");
  routes.forEach((r, i) => {
    issues.push(...checkTrunkList(plan, r.trunks, ["outboundRoutes", i, "trunks"]));
    const earlier = routes.findIndex((e, j) => j < i && r.prefix.startsWith(e.prefix));
    if (earlier >= 0) {
      const e = routes[earlier];
      issues.push({ path: ["outboundRoutes", i, "prefix"], showValue: false, message: `never used: outboundRoutes[${earlier}] (prefix '${e?.prefix ?? ""}') comes first and takes every number this one would` });
    }
  });
  return issues;
}

function checkInboundRoutes(ctx: Context): DialPlanIssue[] {
  const routes = ctx.plan.inboundRoutes;
  const issues: DialPlanIssue[] = [];
  routes.forEach((r, i) => {
    const at = ["inboundRoutes", i];
    if (!Object.hasOwn(ctx.plan.trunks, r.trunk)) issues.push({ path: [...at, "trunk"], showValue: false, message: `unknown trunk '${r.trunk}'` });
    issues.push(...checkDestination(ctx, r.destination, [...at, "destination"]));
    const same = routes.findIndex((e, j) => j < i && e.trunk === r.trunk && (e.did === r.did || e.did === "*"));
    if (same >= 0) {
      const why = routes[same]?.did === "*" ? `inboundRoutes[${same}] (did '*') comes first and takes every call from trunk '${r.trunk}'` : `duplicate of inboundRoutes[${same}]`;
      issues.push({ path: [...at, "did"], showValue: false, message: `never used: ${why}` });
    }
  });
  return issues;
}

function checkCalls(plan: DialPlan): DialPlanIssue[] {
  const issues: DialPlanIssue[] = [];
  const { portMin, portMax } = plan.calls.media;
  // RFC 3550 §11: RTP on an even port, RTCP on the next (odd) one, so a range of whole pairs
  // starts even and ends odd (as @hotline/media's PortPool requires).
  if (portMin % 2 !== 0) issues.push({ path: ["calls", "media", "portMin"], message: "must be even: RTP takes an even port and RTCP the next one (RFC 3550 §11)" });
  if (portMax % 2 !== 1) issues.push({ path: ["calls", "media", "portMax"], message: "must be odd: the last RTP port's RTCP port ends the range (RFC 3550 §11)" });
  if (portMin >= portMax) issues.push({ path: ["calls", "media", "portMin"], message: `must be less than portMax (${portMax})` });
  const st = plan.calls.sessionTimers;
  if (st.sessionExpires < st.minSE) issues.push({ path: ["calls", "sessionTimers", "sessionExpires"], message: `must not be less than minSE (${st.minSE})` });
  return issues;
}

/**
 * Every cross-key problem of `plan`. `extensionSources` maps each known extension (users) to
 * the key that declares it; entries of plan.extensions count as extensions too.
 */
export function checkDialPlan(plan: DialPlan, extensionSources: ReadonlyMap<string, IssuePath>): DialPlanIssue[] {
  const ctx: Context = {
    plan,
    isExtension: (n) => extensionSources.has(n) || Object.hasOwn(plan.extensions, n),
    outbound: new OutboundTable(plan.outboundRoutes, plan.numberClasses),
  };
  return [
    ...checkCalls(plan),
    ...checkExtensions(ctx),
    ...checkRingGroups(ctx),
    ...checkQueues(ctx),
    ...checkAgents(ctx),
    ...Object.entries(plan.schedules).flatMap(([name, s]) => checkSchedule(name, s)),
    ...checkNumbers(ctx),
    ...checkTrunks(plan),
    ...checkOutboundRoutes(plan),
    ...checkInboundRoutes(ctx),
    ...checkOverlaps(plan, extensionSources),
    ...checkLoops(plan),
  ];
}
