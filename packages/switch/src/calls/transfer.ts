/**
 * Call transfer by REFER (RFC 3515), inside the B2BUA:
 * - blind: Refer-To names a number; the transferee (the referrer's peer) is routed to it
 *   as if the referrer had dialled it (the referrer's class of service applies);
 * - attended: Refer-To carries Replaces (RFC 3891) naming the referrer's consultation
 *   dialog with hotline; the transferee is bridged to the consultation's other party and
 *   both of the referrer's legs are released. No new INVITE is needed: both calls already
 *   run through hotline.
 * Progress goes back in NOTIFY message/sipfrag (RFC 3515 §2.4.5) unless the referrer asked
 * for no subscription (Refer-Sub: false, RFC 4488).
 */
import { getHeader, headerField, isSipUri, parseNameAddr, type SipRequest } from "@hotline/sip";
import type { Call } from "./call.js";
import type { CallManager } from "./call-manager.js";
import { dialogKey } from "./dialog-key.js";
import { IGNORE_OUTCOME, type Leg } from "./leg.js";

/** How long we wait for the referrer to hang up after a successful transfer before we do. */
const REFERRER_GRACE_MS = 4000;

export class Transfer {
  constructor(private readonly m: CallManager) {}

  onRefer(txId: string, req: SipRequest, referrer: Leg): void {
    const referTo = parseNameAddr(getHeader(req, "refer-to") ?? "");
    if (!referTo.ok || !isSipUri(referTo.value.parsedUri)) return this.m.respond(txId, req, 400, [], "Bad Refer-To");
    const uri = referTo.value.parsedUri;
    const call = referrer.call;
    // A referrer already transferred away (detached, awaiting its BYE) is no party to the call
    // any more: a second REFER from it must not start a second transfer of the same transferee.
    const transferee = call.a === referrer ? call.b : call.b === referrer ? call.a : null;
    if (transferee === null || transferee.ended || (call.state !== "connected" && call.state !== "dialing")) {
      return this.m.respond(txId, req, 403, [], "Nothing To Transfer");
    }
    const noSub = /^false$/i.test(getHeader(req, "refer-sub") ?? "");
    // RFC 3515 §2.4.2: 202 Accepted; the outcome follows in NOTIFYs.
    this.m.respond(txId, req, 202, noSub ? [headerField("Refer-Sub", "false")] : []);
    const notify = (status: number, reason: string, final: boolean): void => {
      if (noSub) return;
      referrer.sendInDialog("NOTIFY", IGNORE_OUTCOME, {
        headers: [headerField("Event", "refer"), headerField("Subscription-State", final ? "terminated;reason=noresource" : "active;expires=60")],
        body: { type: "message/sipfrag;version=2.0", text: `SIP/2.0 ${status} ${reason}\r\n` },
      });
    };
    notify(100, "Trying", false);
    const replaces = replacesOf(uri.headers);
    if (replaces !== null) return this.attended(call, referrer, transferee, replaces, notify);
    const number = uri.user === null ? null : decodeURIComponent(uri.user);
    if (number === null) {
      notify(400, "Bad Request", true);
      return;
    }
    this.blind(call, referrer, transferee, number, notify);
  }

  private blind(call: Call, referrer: Leg, transferee: Leg, number: string, notify: (s: number, r: string, final: boolean) => void): void {
    const { media, recorder } = this.m.deps;
    this.detach(call, referrer, transferee);
    recorder.event(call, "call.transferred", { kind: "blind", by: referrer.party, to: number });
    notify(200, "OK", true);
    this.releaseReferrer(referrer);
    if (transferee.endpoint !== null) media.play(transferee.endpoint.id, { kind: "tone", tone: "ringback" });
    // A transfer to the park code parks the transferee; the referrer is who gets it back.
    call.parkedBy = referrer.party;
    void this.m.routeTo(call, number, 0, `transfer by ${referrer.party}`, referrer.party, true);
  }

  private attended(call: Call, referrer: Leg, transferee: Leg, r: { callId: string; toTag: string; fromTag: string }, notify: (s: number, r: string, final: boolean) => void): void {
    const { media, recorder } = this.m.deps;
    // RFC 3891 §3: to-tag is the tag of the UA that receives the INVITE (here: hotline's
    // leg towards the referrer), from-tag the referrer's own.
    const consultLeg = this.m.dialogs.get(dialogKey(r.callId, r.toTag, r.fromTag)) ?? this.m.dialogs.get(dialogKey(r.callId, r.fromTag, r.toTag));
    if (consultLeg === undefined || consultLeg.call === call) {
      notify(481, "Call Does Not Exist", true);
      return;
    }
    const consult = consultLeg.call;
    const target = consult.a === consultLeg ? consult.b : consult.a;
    if (target === null || consult.state !== "connected") {
      // The consultation has not been answered yet: carry on as a blind transfer to it.
      const number = consult.dialed;
      void this.m.endCall(consult, "caller", 16, "Transferred");
      this.blind(call, referrer, transferee, number, notify);
      return;
    }
    // Move the consultation's far party into this call and join the two.
    this.detach(call, referrer, transferee);
    consult.b = null;
    consult.legs.splice(consult.legs.indexOf(target), 1);
    target.call = call;
    call.addLeg(target);
    if (transferee.endpoint !== null && target.endpoint !== null) {
      media.play(transferee.endpoint.id, null);
      media.play(target.endpoint.id, null);
      media.unbridge(target.endpoint.id);
      media.bridge(transferee.endpoint.id, target.endpoint.id);
    }
    this.m.markConnected(call, target);
    call.answeredBy = target.party;
    recorder.event(call, "call.transferred", { kind: "attended", by: referrer.party, to: target.party });
    notify(200, "OK", true);
    this.releaseReferrer(referrer);
    this.releaseReferrer(consultLeg);
    void this.m.endCall(consult, "caller", 16, "Transferred");
  }

  /** The transferee becomes the served party; the referrer is no longer part of the call. */
  private detach(call: Call, referrer: Leg, transferee: Leg): void {
    const { media } = this.m.deps;
    if (referrer.endpoint !== null) media.unbridge(referrer.endpoint.id);
    call.a = transferee;
    call.b = null;
    call.occupies.delete(referrer.party);
    call.state = "dialing";
    // Before the transferee is routed or bridged anew: a supervisor's mix room must go first.
    this.m.legLeft(call, referrer, "transferred");
  }

  /** RFC 5589 §6: the transferor normally hangs up itself after the final NOTIFY; if not, we do. */
  private releaseReferrer(leg: Leg): void {
    this.m.deps.scheduler.after(REFERRER_GRACE_MS, () => {
      if (leg.ended) return;
      leg.bye(16, "Transferred");
      this.m.releaseDetachedLeg(leg);
    });
  }
}

/** Replaces from a Refer-To URI's headers (`?Replaces=callid%3Bto-tag%3Dx%3Bfrom-tag%3Dy`). */
export function replacesOf(headers: string | null): { callId: string; toTag: string; fromTag: string } | null {
  if (headers === null) return null;
  for (const part of headers.split("&")) {
    const eq = part.indexOf("=");
    if (eq < 0 || part.slice(0, eq).toLowerCase() !== "replaces") continue;
    const value = decodeURIComponent(part.slice(eq + 1));
    const [callId, ...params] = value.split(";");
    let toTag = "";
    let fromTag = "";
    for (const p of params) {
      const [k, v] = p.split("=");
      if (k?.trim().toLowerCase() === "to-tag") toTag = v?.trim() ?? "";
      if (k?.trim().toLowerCase() === "from-tag") fromTag = v?.trim() ?? "";
    }
    if (callId === undefined || callId === "" || toTag === "" || fromTag === "") return null;
    return { callId: callId.trim(), toTag, fromTag };
  }
  return null;
}

