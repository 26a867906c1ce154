// An extension's call settings as they apply right now: extensionDefaults, then the extension's
// entry in the dial plan, then what its user changed at run time (feature codes, console).
import type { ClassOfService, DialPlan, FollowMe } from "./dial-plan.js";

/**
 * Run-time changes kept in the store (the shape of the store's extension-settings record).
 * null = not changed, the dial plan applies. For forwards, "" = explicitly off even when the dial
 * plan sets one; any other string is the forward target.
 */
export interface ExtensionSettingsOverride {
  dnd: boolean | null;
  callWaiting: boolean | null;
  forwardAlways: string | null;
  forwardBusy: string | null;
  forwardNoAnswer: string | null;
}

export interface EffectiveSettings {
  callWaiting: boolean;
  dnd: boolean;
  forwardAlways: string | null;
  forwardBusy: string | null;
  forwardNoAnswer: string | null;
  noAnswerSeconds: number;
  followMe: FollowMe | null;
  classOfService: ClassOfService;
  pickupGroup: string | null;
  callerIdName: string | null;
}

function forward(override: string | null | undefined, planned: string | null): string | null {
  if (override === null || override === undefined) return planned;
  return override === "" ? null : override;
}

export function effectiveSettings(
  plan: Pick<DialPlan, "extensionDefaults" | "extensions">,
  extension: string,
  overrides: ExtensionSettingsOverride | null,
): EffectiveSettings {
  const d = plan.extensionDefaults;
  const e = Object.hasOwn(plan.extensions, extension) ? plan.extensions[extension] : undefined;
  return {
    callWaiting: overrides?.callWaiting ?? e?.callWaiting ?? d.callWaiting,
    dnd: overrides?.dnd ?? e?.dnd ?? d.dnd,
    forwardAlways: forward(overrides?.forwardAlways, e?.forward.always ?? null),
    forwardBusy: forward(overrides?.forwardBusy, e?.forward.busy ?? null),
    forwardNoAnswer: forward(overrides?.forwardNoAnswer, e?.forward.noAnswer ?? null),
    noAnswerSeconds: e?.noAnswerSeconds ?? d.noAnswerSeconds,
    followMe: e?.followMe ? { numbers: [...e.followMe.numbers], ringSeconds: e.followMe.ringSeconds } : null,
    classOfService: e?.classOfService ?? d.classOfService,
    pickupGroup: e?.pickupGroup ?? null,
    callerIdName: e?.callerIdName ?? null,
  };
}
