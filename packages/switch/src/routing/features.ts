// Feature codes, call pickup and call park: numbers an extension dials to change its own
// settings or to reach a call elsewhere, matched before any routable number.
import { ARGUMENT_FEATURE_CODES, FEATURE_CODE_NAMES, type FeatureCodeName, type FeatureCodes, type ParkSettings } from "./dial-plan.js";
import { rejection, type FeatureAction, type Target } from "./route-types.js";

const ACTIONS: Record<Exclude<FeatureCodeName, "pickup" | "directedPickup">, FeatureAction> = {
  dndOn: "dnd-on", dndOff: "dnd-off", forwardAlways: "forward-always", forwardBusy: "forward-busy",
  forwardNoAnswer: "forward-no-answer", forwardOff: "forward-off", callWaitingOn: "call-waiting-on", callWaitingOff: "call-waiting-off",
  agentLogin: "agent-login", agentLogout: "agent-logout", agentBreak: "agent-break", agentAvailable: "agent-available",
  supervisorListen: "supervisor-listen", supervisorWhisper: "supervisor-whisper", supervisorBarge: "supervisor-barge",
  supervisorTakeOver: "supervisor-take-over", supervisorHangup: "supervisor-hangup",
  forceAvailable: "force-available", forceBreak: "force-break", forceLogout: "force-logout",
};

export interface SlotRange {
  first: number;
  last: number;
  /** Digits per slot number ("701" → 3). */
  width: number;
}

export const MAX_PARK_SLOTS = 1000;

/** "701-720" → {first: 701, last: 720, width: 3}, or why it is not a slot range. */
export function parseSlotRange(s: string): SlotRange | string {
  const m = /^(\d{1,16})-(\d{1,16})$/.exec(s);
  if (!m) return "must be a range of slot numbers like 701-720";
  const [a, b] = [m[1] as string, m[2] as string];
  if (a.length !== b.length) return "both ends must have the same number of digits";
  const first = Number(a);
  const last = Number(b);
  if (first > last) return `the first slot (${a}) is greater than the last (${b})`;
  if (last - first + 1 > MAX_PARK_SLOTS) return `at most ${MAX_PARK_SLOTS} slots`;
  return { first, last, width: a.length };
}

/** Every slot number of a valid range, as dialled ("701", …). */
export function slotNumbers(range: SlotRange): string[] {
  const slots: string[] = [];
  for (let n = range.first; n <= range.last; n++) slots.push(String(n).padStart(range.width, "0"));
  return slots;
}

export interface FeatureHit {
  target: Target;
  trace: string;
}

export class FeatureTable {
  private readonly exact = new Map<string, FeatureCodeName>();
  /** Codes that take an argument, longest first, so "**" loses to a longer code it prefixes. */
  private readonly withArgument: { code: string; name: FeatureCodeName }[] = [];
  private readonly slots: SlotRange | null;

  constructor(
    codes: FeatureCodes,
    private readonly park: ParkSettings,
  ) {
    for (const name of FEATURE_CODE_NAMES) {
      const code = codes[name];
      if (code === null) continue;
      if (!this.exact.has(code)) this.exact.set(code, name);
      if (ARGUMENT_FEATURE_CODES.has(name)) this.withArgument.push({ code, name });
    }
    this.withArgument.sort((a, b) => b.code.length - a.code.length);
    const range = parseSlotRange(park.slots);
    this.slots = typeof range === "string" ? null : range;
  }

  /** The feature `dialed` asks for, or null when it is not a feature code, park code or slot. */
  match(dialed: string, isExtension: (n: string) => boolean): FeatureHit | null {
    const name = this.exact.get(dialed);
    if (name !== undefined) return this.hit(name, dialed, null, isExtension);
    for (const { code, name } of this.withArgument) {
      if (dialed.length > code.length && dialed.startsWith(code)) return this.hit(name, code, dialed.slice(code.length), isExtension);
    }
    if (this.park.code !== null && dialed === this.park.code) return { target: { kind: "park", slot: null }, trace: `park code ${dialed}: first free slot` };
    if (this.isSlot(dialed)) return { target: { kind: "park", slot: dialed }, trace: `park slot ${dialed}` };
    return null;
  }

  private isSlot(dialed: string): boolean {
    const r = this.slots;
    if (!r || dialed.length !== r.width || !/^\d+$/.test(dialed)) return false;
    const n = Number(dialed);
    return n >= r.first && n <= r.last;
  }

  private hit(name: FeatureCodeName, code: string, argument: string | null, isExtension: (n: string) => boolean): FeatureHit {
    if (name === "pickup") return { target: { kind: "pickup" }, trace: `pickup code ${code}` };
    if (name === "directedPickup") {
      if (argument === null) return { target: rejection("invalid-number"), trace: `directed pickup code ${code}: no extension given` };
      if (!isExtension(argument)) return { target: rejection("unknown-number"), trace: `directed pickup code ${code}: '${argument}' is not an extension` };
      return { target: { kind: "directed-pickup", extension: argument }, trace: `directed pickup code ${code}: extension ${argument}` };
    }
    const action = ACTIONS[name];
    const shown = ARGUMENT_FEATURE_CODES.has(name) ? ` ${argument ?? "(no number)"}` : "";
    return { target: { kind: "feature", action, argument }, trace: `feature code ${code}: ${action}${shown}` };
  }
}
