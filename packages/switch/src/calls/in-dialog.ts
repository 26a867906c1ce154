/**
 * Everything that happens inside established (or early) dialogs: the callee's progress
 * and answer joined to the caller, BYE, re-INVITE/UPDATE offer-answer (hold with music,
 * RFC 3264 §8.4), INFO DTMF, ACK for our 2xx, and REFER transfers (transfer.ts).
 */
import {
  createResponse,
  decodeUtf8,
  encodeUtf8,
  getHeader,
  headerField,
  parseSdp,
  serializeSdp,
  type FlowEndpoint,
  type SessionDescription,
  type SipRequest,
  type SipResponse,
} from "@hotline/sip";
import type { Call } from "./call.js";
import type { CallManager } from "./call-manager.js";
import { InboundLeg } from "./inbound-leg.js";
import type { Leg } from "./leg.js";
import { MediaSession } from "./media-session.js";
import type { OutboundLeg } from "./outbound-leg.js";
import type { CancelTimer, MediaEvent } from "./ports.js";
import { Transfer } from "./transfer.js";
import { dialogKeyOf } from "./dialog-key.js";
import { negotiatedAsUac, SessionTimer } from "./session-timer.js";

const T1 = 500;
const T2 = 4000;

interface Pending2xx {
  txId: string;
  response: SipResponse;
  stop: CancelTimer;
}

export class InDialog {
  private readonly pending2xx = new Map<Leg, Pending2xx>();
  readonly transfer: Transfer;

  constructor(private readonly m: CallManager) {
    this.transfer = new Transfer(m);
  }

  // ---- the callee's side of a dial attempt -------------------------------------------

  onCalleeProgress(call: Call, leg: OutboundLeg, res: SipResponse): void {
    this.m.indexDialog(leg);
    const a = call.a;
    const sdp = sdpOf(res);
    if (a instanceof InboundLeg && (a.state === "proceeding" || a.state === "early")) {
      // Early media (183 with SDP): answer the caller's offer now and bridge, so the caller
      // hears the callee's announcements or ringback (RFC 3960 gateway model).
      if (sdp !== null && leg.offer !== null && a.offer !== null && this.m.mediaSession.applyAnswer(leg, leg.offer, sdp)) {
        const answer = a.localSdp ?? this.m.mediaSession.answer(a, a.offer);
        if (answer !== null && a.endpoint !== null && leg.endpoint !== null) {
          a.progress(183, answer);
          this.m.indexDialog(a);
          this.m.deps.media.unbridge(a.endpoint.id);
          this.m.deps.media.bridge(a.endpoint.id, leg.endpoint.id);
          return;
        }
      }
      if (a.state === "proceeding") {
        a.progress(180);
        this.m.indexDialog(a);
      }
      this.m.deps.recorder.event(call, "call.ringing", { party: leg.party });
      return;
    }
    // The waiting party is already answered (transferee, returning park): play ringback.
    if (a.endpoint !== null) this.m.deps.media.play(a.endpoint.id, { kind: "tone", tone: "ringback" });
  }

  onCalleeAnswer(call: Call, leg: OutboundLeg, res: SipResponse): void {
    this.m.indexDialog(leg);
    const { media } = this.m.deps;
    const sdp = sdpOf(res);
    const usable = leg.offer !== null && (sdp === null ? leg.mediaConfig !== null : this.m.mediaSession.applyAnswer(leg, leg.offer, sdp));
    if (!usable) {
      leg.bye(88, "Incompatible destination");
      this.m.failCall(call, 488, 88, "Not acceptable here");
      return;
    }
    const a = call.a;
    if (a instanceof InboundLeg && (a.state === "proceeding" || a.state === "early")) {
      // Late offer (INVITE without SDP): our 2xx carries the offer, the ACK the answer.
      const answer = a.localSdp ?? (a.offer !== null ? this.m.mediaSession.answer(a, a.offer) : this.m.mediaSession.offer(a, MediaSession.codecOf(leg)));
      if (answer === null) {
        leg.bye(88, "Incompatible destination");
        this.m.failCall(call, 488, 88, "Not acceptable here");
        return;
      }
      a.answer(answer);
      this.m.indexDialog(a);
    }
    if (a.endpoint !== null && leg.endpoint !== null) {
      media.play(a.endpoint.id, null);
      media.unbridge(a.endpoint.id);
      media.bridge(a.endpoint.id, leg.endpoint.id);
    }
    this.m.markConnected(call, leg);
    const st = negotiatedAsUac(res);
    if (st !== null) {
      leg.sessionExpires = { seconds: st.seconds, refresher: st.refresher === "us" ? "uac" : "uas" };
      leg.sessionTimer = new SessionTimer(leg, st.refresher, st.seconds, this.m.deps.scheduler, (why) => void this.m.endCall(leg.call, "system", 102, `Session timer: ${why}`));
      leg.sessionTimer.start();
    }
    this.m.deps.metrics.inc("calls_answered_total");
    this.m.deps.recorder.answered(call);
  }

  // ---- requests inside a dialog ----------------------------------------------------------

  onRequest(txId: string, req: SipRequest, source: FlowEndpoint): void {
    void source;
    const leg = this.m.dialogs.get(dialogKeyOf(req));
    if (leg === undefined || leg.dialog === null) return this.m.respond(txId, req, 481);
    if (req.method !== "ACK") {
      const check = leg.dialog.receiveRequest(req);
      if (!check.ok) return this.m.respond(txId, req, check.status, [], check.reason);
    }
    switch (req.method) {
      case "BYE":
        return this.onBye(txId, req, leg);
      case "INVITE":
      case "UPDATE":
        return this.onOffer(txId, req, leg);
      case "INFO":
        return this.onInfo(txId, req, leg);
      case "REFER":
        return this.transfer.onRefer(txId, req, leg);
      case "OPTIONS":
      case "NOTIFY":
        return this.m.respond(txId, req, 200);
      case "PRACK":
        // We never send reliable provisionals (RFC 3262 §3), so there is nothing to PRACK.
        return this.m.respond(txId, req, 481);
      default:
        return this.m.respond(txId, req, 405, [headerField("Allow", "INVITE, ACK, CANCEL, BYE, UPDATE, INFO, REFER, NOTIFY, OPTIONS")]);
    }
  }

  onAck(leg: Leg, ack: SipRequest): void {
    const p = this.pending2xx.get(leg);
    if (p !== undefined) {
      p.stop();
      this.pending2xx.delete(leg);
    }
    if (!(leg instanceof InboundLeg)) return;
    const wasAnswered = leg.state === "answered";
    leg.acked();
    // Late offer: the ACK carries the caller's answer to the offer in our 2xx (RFC 3264 §4).
    const sdp = ack.body.length > 0 ? parseSdp(decodeUtf8(ack.body)) : null;
    if (wasAnswered && leg.offer === null && sdp !== null && sdp.ok && leg.localSdp !== null) {
      this.m.mediaSession.applyAnswer(leg, leg.localSdp, sdp.sdp);
    }
  }

  private onBye(txId: string, req: SipRequest, leg: Leg): void {
    this.m.respond(txId, req, 200);
    leg.ended = true;
    const call = leg.call;
    this.m.deps.recorder.event(call, "leg.hangup", { leg: leg.id, party: leg.party, reason: getHeader(req, "reason") ?? null });
    // A leg no longer in the conversation (a transferor after REFER) leaves alone.
    if (leg !== call.a && leg !== call.b) return this.m.releaseDetachedLeg(leg);
    const by = leg === call.legs[0] ? "caller" : "callee";
    void this.m.endCall(call, by, reasonCause(req) ?? 16, "Normal call clearing");
  }

  /** re-INVITE or UPDATE with an offer: answer from our endpoint; hold/unhold the other side. */
  private onOffer(txId: string, req: SipRequest, leg: Leg): void {
    const body = req.body.length > 0 ? parseSdp(decodeUtf8(req.body)) : null;
    if (body !== null && !body.ok) return this.m.respond(txId, req, 400, [], "Bad SDP");
    const wasHeld = leg.remoteHold;
    // Any re-INVITE or UPDATE refreshes the session (RFC 4028 §10); answer with the interval.
    leg.sessionTimer?.refreshed();
    const se = leg.sessionExpires === null ? [] : [headerField("Session-Expires", `${leg.sessionExpires.seconds};refresher=${leg.sessionExpires.refresher}`)];
    if (req.method === "UPDATE" && body === null) {
      // An UPDATE without an offer (a session refresh) is answered without one (RFC 3311 §5.2).
      this.m.deps.sip.respond(txId, createResponse(req, 200, { headers: [headerField("Contact", leg.contact()), ...se] }));
      return;
    }
    let answer: SessionDescription | null;
    if (body === null) {
      // No offer: we offer our current SDP again (RFC 3264 §8: session refresh); the answer comes in the ACK.
      answer = leg.localSdp;
    } else {
      answer = this.m.mediaSession.answer(leg, body.sdp, leg.call.state === "parked" ? "sendonly" : "sendrecv");
    }
    if (answer === null) return this.m.respond(txId, req, 488);
    leg.dialog?.refreshTarget(req);
    const res = createResponse(req, 200, {
      headers: [headerField("Contact", leg.contact()), ...se, headerField("Content-Type", "application/sdp")],
      body: encodeUtf8(serializeSdp(answer)),
    });
    this.m.deps.sip.respond(txId, res);
    if (req.method === "INVITE" && leg.flow.transport === "udp") this.retransmit2xx(leg, txId, res);
    if (leg.remoteHold !== wasHeld) this.onHoldChange(leg);
  }

  /** The peer put us on hold (sendonly/inactive) or took us off: music to the other side. */
  private onHoldChange(leg: Leg): void {
    const call = leg.call;
    const other = call.a === leg ? call.b : call.a;
    const held = leg.remoteHold;
    this.m.deps.recorder.event(call, held ? "call.held" : "call.resumed", { by: leg.party });
    if (other?.endpoint == null) return;
    this.m.deps.media.play(other.endpoint.id, held ? { kind: "moh" } : null);
  }

  /** SIP INFO DTMF (application/dtmf-relay, application/dtmf) → RFC 4733 to the other side. */
  private onInfo(txId: string, req: SipRequest, leg: Leg): void {
    const type = (getHeader(req, "content-type") ?? "").toLowerCase();
    if (req.body.length === 0) return this.m.respond(txId, req, 200); // keep-alive INFO
    const text = decodeUtf8(req.body);
    let digit: string | null;
    let duration = 160;
    if (type.startsWith("application/dtmf-relay")) {
      digit = /Signal\s*=\s*([0-9A-D*#])/i.exec(text)?.[1] ?? null;
      duration = Number(/Duration\s*=\s*(\d+)/i.exec(text)?.[1] ?? 160);
    } else if (type.startsWith("application/dtmf")) {
      digit = /^\s*([0-9A-D*#])/i.exec(text)?.[1] ?? null;
    } else return this.m.respond(txId, req, 415, [headerField("Accept", "application/dtmf-relay, application/dtmf")]);
    if (digit === null) return this.m.respond(txId, req, 400, [], "Bad DTMF Body");
    this.m.respond(txId, req, 200);
    const call = leg.call;
    const other = call.a === leg ? call.b : call.a;
    this.m.deps.recorder.event(call, "call.dtmf", { from: leg.party, digit: digit.toUpperCase(), via: "info" });
    if (other?.endpoint != null) this.m.deps.media.sendDtmf(other.endpoint.id, digit.toUpperCase(), Math.min(Math.max(duration, 40), 2000));
  }

  /** RFC 3261 §13.3.1.4 for re-INVITE 2xx over UDP. */
  private retransmit2xx(leg: Leg, txId: string, response: SipResponse): void {
    this.pending2xx.get(leg)?.stop();
    let interval = T1;
    let cancel: CancelTimer = () => undefined;
    const started = this.m.deps.scheduler.now();
    const tick = (): void => {
      if (this.m.deps.scheduler.now() - started >= 64 * T1) {
        this.pending2xx.delete(leg);
        return;
      }
      this.m.deps.sip.respond(txId, response);
      interval = Math.min(2 * interval, T2);
      cancel = this.m.deps.scheduler.after(interval, tick);
    };
    cancel = this.m.deps.scheduler.after(interval, tick);
    this.pending2xx.set(leg, { txId, response, stop: () => cancel() });
  }

  onMediaEvent(e: MediaEvent): void {
    // Queue callers: announcements ending (play-done) and the callback digit.
    if (this.m.queues.onMediaEvent(e)) return;
    if (e.type === "dtmf") {
      for (const call of this.m.calls.values()) {
        const leg = call.legs.find((l) => l.endpoint?.id === e.id);
        if (leg !== undefined) {
          this.m.deps.recorder.event(call, "call.dtmf", { from: leg.party, digit: e.digit, via: "rfc4733" });
          return;
        }
      }
      return;
    }
    if (e.type === "timeout") {
      for (const call of this.m.calls.values()) {
        if (call.legs.some((l) => l.endpoint?.id === e.id) && call.state === "connected") {
          void this.m.endCall(call, "system", 102, "No media");
          return;
        }
      }
    }
  }
}

function sdpOf(msg: SipRequest | SipResponse): SessionDescription | null {
  if (msg.body.length === 0) return null;
  const type = (getHeader(msg, "content-type") ?? "application/sdp").toLowerCase();
  if (!type.startsWith("application/sdp")) return null;
  const p = parseSdp(decodeUtf8(msg.body));
  return p.ok ? p.sdp : null;
}

function reasonCause(req: SipRequest): number | null {
  const m = /Q\.850\s*;\s*cause\s*=\s*(\d+)/i.exec(getHeader(req, "reason") ?? "");
  return m === null ? null : Number(m[1]);
}
