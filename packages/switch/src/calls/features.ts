/**
 * PBX features that are not plain dialling: feature codes (DND, forwards, call waiting),
 * call pickup (group and directed), and call park (park by transfer to the park code or a
 * free slot, retrieve by dialling the slot, return to the parker on timeout).
 */
import type { Target } from "../routing/index.js";
import type { Call } from "./call.js";
import type { CallManager } from "./call-manager.js";
import type { ExtensionSettingsPatch } from "./call-context.js";
import { InboundLeg } from "./inbound-leg.js";
import type { Leg } from "./leg.js";

/** How long the confirmation tone of a feature code plays before we hang up. */
const FEATURE_TONE_MS = 1500;

type FeatureTarget = Extract<Target, { kind: "feature" | "pickup" | "directed-pickup" | "park" }>;

export class Features {
  /** Parked calls by slot number. */
  readonly parked = new Map<string, Call>();

  constructor(private readonly m: CallManager) {}

  async execute(call: Call, target: FeatureTarget): Promise<void> {
    if (call.isEnded()) return;
    switch (target.kind) {
      case "feature":
        return this.featureCode(call, target.action, target.argument);
      case "pickup":
        return this.pickup(call, null);
      case "directed-pickup":
        return this.pickup(call, target.extension);
      case "park":
        return this.parkOrRetrieve(call, target.slot);
    }
  }

  private async featureCode(call: Call, action: Extract<Target, { kind: "feature" }>["action"], argument: string | null): Promise<void> {
    const ext = call.caller;
    const patch: ExtensionSettingsPatch = {};
    switch (action) {
      case "dnd-on":
      case "dnd-off":
        patch.dnd = action === "dnd-on";
        break;
      case "call-waiting-on":
      case "call-waiting-off":
        patch.callWaiting = action === "call-waiting-on";
        break;
      case "forward-always":
      case "forward-busy":
      case "forward-no-answer":
        if (argument === null || argument === "") return this.m.failCall(call, 484, 28, "Address Incomplete");
        patch[action === "forward-always" ? "forwardAlways" : action === "forward-busy" ? "forwardBusy" : "forwardNoAnswer"] = argument;
        break;
      case "forward-off":
        patch.forwardAlways = null;
        patch.forwardBusy = null;
        patch.forwardNoAnswer = null;
        break;
      case "agent-login":
      case "agent-logout":
      case "agent-break":
      case "agent-available":
        // An extension that is no queue's member gets 403 instead of a confirmation tone.
        if (!this.m.queues.agentAction(ext, action)) return this.m.failCall(call, 403, 21, "Not A Queue Agent");
        this.m.deps.recorder.event(call, "agent.status", { agent: ext, action });
        return this.confirm(call);
      case "supervisor-listen":
      case "supervisor-whisper":
      case "supervisor-barge":
      case "supervisor-take-over":
      case "supervisor-hangup":
      case "force-available":
      case "force-break":
      case "force-logout":
        return this.m.supervision.featureCode(call, action, argument);
    }
    await this.m.deps.routing.updateSettings(ext, patch, this.m.deps.scheduler.now());
    this.m.deps.recorder.event(call, "extension.settings", { extension: ext, action, argument });
    this.confirm(call);
  }

  /** Confirms a feature code audibly like a desk PBX: answer, play a short tone, hang up. */
  confirm(call: Call): void {
    if (!this.answerCaller(call)) return;
    const a = call.a;
    if (a.endpoint !== null) this.m.deps.media.play(a.endpoint.id, { kind: "tone", tone: "dial" });
    call.hold(this.m.deps.scheduler.after(FEATURE_TONE_MS, () => void this.m.endCall(call, "system", 16, "Feature code done")));
  }

  /** Answers the waiting caller with our SDP (no bridge yet). false → the call failed. */
  answerCaller(call: Call): boolean {
    const a = call.a;
    if (!(a instanceof InboundLeg)) return true;
    if (a.state !== "proceeding" && a.state !== "early") return a.state !== "ended";
    const sdp = a.localSdp ?? (a.offer !== null ? this.m.mediaSession.answer(a, a.offer) : this.m.mediaSession.offer(a, null));
    if (sdp === null) {
      this.m.failCall(call, 488, 88, "Not acceptable here");
      return false;
    }
    a.answer(sdp);
    this.m.indexDialog(a);
    call.answeredAt = this.m.deps.scheduler.now();
    call.answeredBy = "hotline";
    call.state = "connected";
    return true;
  }

  /** Group pickup (`extension` null: any ringing call of the caller's pickup group) or directed. */
  private async pickup(call: Call, extension: string | null): Promise<void> {
    const mine = await this.m.deps.routing.settings(call.caller);
    let victim: Call | null = null;
    for (const c of this.m.calls.values()) {
      if (c === call || c.state !== "dialing") continue;
      for (const ext of c.ringing) {
        if (ext === call.caller) continue;
        if (extension !== null ? ext === extension : mine.pickupGroup !== null && (await this.m.deps.routing.settings(ext)).pickupGroup === mine.pickupGroup) {
          victim = c;
          break;
        }
      }
      if (victim !== null) break;
    }
    if (victim === null) {
      call.trace.push("pickup: nothing ringing");
      return this.m.failCall(call, 404, 1, "Nothing To Pick Up");
    }
    // The picker's leg joins the ringing call as its answering party; the picker's own call
    // ends without a CDR of its own beyond "picked up".
    this.m.dialAttempts.get(victim)?.abort(26, "Answered elsewhere");
    this.m.dialAttempts.delete(victim);
    const picker = call.a;
    if (!this.answerCaller(call)) return;
    if (!this.answerCaller(victim)) return;
    this.joinInto(victim, picker, call);
    this.m.deps.recorder.event(victim, "call.picked-up", { by: picker.party });
  }

  private parkOrRetrieve(call: Call, slot: string | null): Promise<void> | void {
    const parked = slot === null ? undefined : this.parked.get(slot);
    const a = call.a;
    const waitingCaller = a instanceof InboundLeg && (a.state === "proceeding" || a.state === "early");
    if (waitingCaller) {
      // Someone dialled the park code or a slot: retrieve what is parked there.
      if (parked === undefined) return this.m.failCall(call, 404, 1, "Parking Slot Empty");
      return this.retrieve(call, parked);
    }
    // A transfer to the park code / a slot: park the transferee (call.a, answered).
    const free = slot ?? this.m.deps.routing.park.slots.find((s) => !this.parked.has(s)) ?? null;
    if (free === null || this.parked.has(free)) return this.m.failCall(call, 486, 34, "No Parking Slot Free");
    this.park(call, free);
  }

  private park(call: Call, slot: string): void {
    if (call.isEnded()) return;
    const { media, recorder, scheduler, routing } = this.m.deps;
    call.state = "parked";
    call.parkedSlot = slot;
    this.parked.set(slot, call);
    if (call.a.endpoint !== null) media.play(call.a.endpoint.id, { kind: "moh" });
    recorder.event(call, "call.parked", { slot, by: call.parkedBy });
    call.trace.push(`parked in ${slot}`);
    call.hold(
      scheduler.after(routing.park.timeoutSeconds * 1000, () => {
        if (this.parked.get(slot) !== call || call.state !== "parked") return;
        this.parked.delete(slot);
        call.parkedSlot = null;
        call.state = "dialing";
        recorder.event(call, "call.park-timeout", { slot, returnTo: call.parkedBy });
        if (call.parkedBy === null) return void this.m.endCall(call, "system", 102, "Park timeout");
        void this.m.routeTo(call, call.parkedBy, 0, `park ${slot} timed out`, call.parkedBy);
      }),
    );
  }

  private retrieve(call: Call, parked: Call): void {
    if (parked.parkedSlot !== null) this.parked.delete(parked.parkedSlot);
    parked.parkedSlot = null;
    if (!this.answerCaller(call)) return;
    const picker = call.a;
    parked.clearTimers();
    this.joinInto(parked, picker, call);
    this.m.deps.recorder.event(parked, "call.unparked", { by: picker.party });
  }

  /** Moves `leg` (the answered caller of `from`) into `into` as its connected party. */
  private joinInto(into: Call, leg: Leg, from: Call): void {
    const { media } = this.m.deps;
    from.legs.splice(from.legs.indexOf(leg), 1);
    leg.call = into;
    into.addLeg(leg);
    if (into.a.endpoint !== null && leg.endpoint !== null) {
      media.play(into.a.endpoint.id, null);
      media.unbridge(into.a.endpoint.id);
      media.bridge(into.a.endpoint.id, leg.endpoint.id);
    }
    this.m.markConnected(into, leg);
    into.answeredBy = leg.party;
    from.answeredBy = into.a.party;
    void this.m.endCall(from, "system", 16, "Joined another call");
  }
}
