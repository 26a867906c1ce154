// Checks on the numbering plan as a whole: no number may mean two things (an extension that is
// also a ring group or queue, a park slot, a feature code), no feature code that takes an argument may
// swallow another number, and number entries may not point at each other in a circle.
import { ARGUMENT_FEATURE_CODES, FEATURE_CODE_NAMES, type DialPlan, type FeatureCodeName } from "./dial-plan.js";
import { parseDestination } from "./destination.js";
import { parseSlotRange, slotNumbers } from "./features.js";

export type IssuePath = readonly (string | number)[];

/** One problem in a dial plan; the path is the same as the configuration key's. */
export interface DialPlanIssue {
  path: IssuePath;
  message: string;
  /** The last path segment is a mapping key: point at the key. */
  atKey?: boolean;
  /** Append the offending value (default true; false when the message quotes it). */
  showValue?: boolean;
}

/** "ringGroups.6000.members[1]" */
export function formatIssuePath(path: IssuePath): string {
  return path.map((s, i) => (typeof s === "number" ? `[${s}]` : i === 0 ? s : `.${s}`)).join("");
}

interface Claim {
  number: string;
  /** "an extension (users[0])", "ringGroups.6000" */
  label: string;
  path: IssuePath;
  atKey: boolean;
  /** A feature code followed by an argument: every number starting with it is taken. */
  prefix: boolean;
  /** How to name the number in a message: "'6000'". */
  noun: string;
  /** The key that declares it: "demo.extensions[0]", "featureCodes.dndOn". */
  where: string;
  /** A ring group, queue or number entry. */
  entry: boolean;
}

function claims(plan: DialPlan, extensionSources: ReadonlyMap<string, IssuePath>): Claim[] {
  const list: Claim[] = [];
  const add = (c: Omit<Claim, "noun" | "prefix" | "where" | "entry"> & Partial<Claim>) =>
    list.push({ prefix: false, entry: false, noun: `'${c.number}'`, where: formatIssuePath(c.path), ...c });
  const extensions = new Map(extensionSources);
  for (const ext of Object.keys(plan.extensions)) if (!extensions.has(ext)) extensions.set(ext, ["extensions", ext]);
  for (const [ext, path] of extensions) add({ number: ext, label: `an extension (${formatIssuePath(path)})`, path, atKey: path[0] === "extensions" });
  // Park and feature codes before ring groups and numbers: they usually stay at their defaults,
  // so a clash is reported at the entry the operator wrote.
  if (plan.park.code !== null) add({ number: plan.park.code, label: "the park code (park.code)", path: ["park", "code"], atKey: false });
  const range = parseSlotRange(plan.park.slots);
  if (typeof range !== "string") {
    for (const slot of slotNumbers(range)) {
      add({ number: slot, label: `park slot ${slot} (park.slots ${plan.park.slots})`, path: ["park", "slots"], atKey: false, where: "park.slots" });
    }
  }
  for (const name of FEATURE_CODE_NAMES) {
    const code = plan.featureCodes[name];
    if (code !== null) add({ number: code, label: `featureCodes.${name}`, path: ["featureCodes", name], atKey: false, prefix: ARGUMENT_FEATURE_CODES.has(name as FeatureCodeName) });
  }
  for (const n of Object.keys(plan.ringGroups)) add({ number: n, label: `ring group ringGroups.${n}`, path: ["ringGroups", n], atKey: true, entry: true });
  for (const n of Object.keys(plan.queues)) add({ number: n, label: `queue queues.${n}`, path: ["queues", n], atKey: true, entry: true });
  for (const n of Object.keys(plan.numbers)) add({ number: n, label: `number entry numbers.${n}`, path: ["numbers", n], atKey: true, entry: true });
  return list;
}

/** Numbers that mean two things, and argument feature codes that swallow other numbers. */
export function checkOverlaps(plan: DialPlan, extensionSources: ReadonlyMap<string, IssuePath>): DialPlanIssue[] {
  const issues: DialPlanIssue[] = [];
  const all = claims(plan, extensionSources);
  const first = new Map<string, Claim>();
  const takenSlots: { slot: string; by: Claim }[] = [];
  for (const c of all) {
    const earlier = first.get(c.number);
    if (earlier === undefined) first.set(c.number, c);
    else if (c.path[0] === "park" && c.path[1] === "slots") takenSlots.push({ slot: c.number, by: earlier });
    else issues.push({ path: c.path, atKey: c.atKey, showValue: false, message: `${c.noun} is already ${earlier.label}` });
  }
  // One line for the slot range, however many of its slots are taken.
  const [one] = takenSlots;
  if (takenSlots.length === 1 && one) {
    issues.push({ path: ["park", "slots"], showValue: false, message: `slot '${one.slot}' of ${plan.park.slots} is already ${one.by.label}` });
  } else if (takenSlots.length > 1) {
    const shown = takenSlots.slice(0, 3).map((t) => `'${t.slot}' (${t.by.where})`);
    const list = takenSlots.length > 3 ? `${shown.join(", ")} and ${takenSlots.length - 3} more` : shown.join(", ");
    issues.push({ path: ["park", "slots"], showValue: false, message: `${takenSlots.length} slots of ${plan.park.slots} are already taken: ${list}` });
  }
  for (const p of all.filter((c) => c.prefix)) {
    const swallowed = all.filter((c) => c !== p && c.number !== p.number && c.number.startsWith(p.number));
    // A ring group, queue or number entry is what the operator just wrote: point at it. Extensions,
    // park slots and other feature codes are reported together at the code that swallows them.
    const grouped: Claim[] = [];
    for (const c of swallowed) {
      if (c.entry) issues.push({ path: c.path, atKey: c.atKey, showValue: false, message: `${c.noun} starts with ${p.label} '${p.number}', which takes a number after it, so it could never be dialled` });
      else grouped.push(c);
    }
    if (grouped.length > 0) {
      const shown = grouped.slice(0, 3).map((c) => `${c.noun} (${c.where})`);
      const list = grouped.length > 3 ? `${shown.join(", ")} and ${grouped.length - 3} more` : shown.join(", ");
      issues.push({ path: p.path, showValue: false, message: `'${p.number}' takes a number after it, so ${grouped.length === 1 ? "this" : `these ${grouped.length}`} could never be dialled: ${list}` });
    }
  }
  return issues;
}

/** Number entries whose destinations lead back to themselves (checked with every schedule branch). */
export function checkLoops(plan: DialPlan): DialPlanIssue[] {
  const edges = new Map<string, { to: string; field: string }[]>();
  for (const [n, entry] of Object.entries(plan.numbers)) {
    const fields = "destination" in entry ? [["destination", entry.destination]] : [["open", entry.open], ["closed", entry.closed]];
    const list: { to: string; field: string }[] = [];
    for (const [field, dest] of fields as [string, string][]) {
      const d = parseDestination(dest);
      if (d?.kind === "internal" && Object.hasOwn(plan.numbers, d.number)) list.push({ to: d.number, field });
    }
    edges.set(n, list);
  }
  const issues: DialPlanIssue[] = [];
  const done = new Set<string>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const visit = (n: string): void => {
    stack.push(n);
    onStack.add(n);
    for (const e of edges.get(n) ?? []) {
      if (onStack.has(e.to)) {
        const cycle = [...stack.slice(stack.indexOf(e.to)), e.to];
        issues.push({ path: ["numbers", n, e.field], showValue: false, message: `loop: ${cycle.join(" → ")}` });
      } else if (!done.has(e.to)) {
        visit(e.to);
      }
    }
    stack.pop();
    onStack.delete(n);
    done.add(n);
  };
  for (const n of edges.keys()) if (!done.has(n)) visit(n);
  return issues;
}
