/**
 * Media we generate towards an endpoint: frames of a play source every 20 ms, and RFC 4733
 * digits (SIP INFO DTMF converted, or the switch's own). Both take over the endpoint's
 * outbound stream (outbound-stream.ts keeps it one continuous RTP stream); a digit
 * suspends the play, which resumes after the digit's last end packet.
 *
 * Timing: frames are due on a grid anchored at the play's start (`nextFrameAt` += 20 ms),
 * never at "timer fired + 20 ms", so a late timer does not drift the stream. A timer more
 * than MAX_CATCH_UP_FRAMES late sends that many frames at once and skips the rest as a
 * timestamp gap: a burst of a second's worth of audio would overflow the peer's jitter
 * buffer anyway.
 */
import { DtmfSender } from "../dtmf-sender.js";
import { dtmfEventCode } from "../telephone-event.js";
import type { RelayEndpoint } from "./relay-endpoint.js";
import { RELAY_FRAME_MS, RELAY_FRAME_SAMPLES, type RelayOutput } from "./relay-types.js";

export const MAX_CATCH_UP_FRAMES = 3;
/** Plays start on a 5 ms grid, so the adapter's timer wakes at most 200 times a second. */
export const PLAY_SLOT_MS = 5;
export const DEFAULT_DTMF_DURATION_MS = 100;

/** The first slot at or after `now`. */
export function playSlotAt(now: number): number {
  return Math.ceil(now / PLAY_SLOT_MS) * PLAY_SLOT_MS;
}

/** When `ep` next needs the tick; Infinity when it generates nothing. */
export function nextDueAt(ep: RelayEndpoint): number {
  if (ep.dtmfSender !== null) return ep.dtmfSender.nextDeadline() ?? Infinity;
  if (ep.dtmfQueue.length > 0) return -Infinity;
  return ep.frameSource !== null ? ep.nextFrameAt : Infinity;
}

/**
 * Sends what is due on `ep` at `now`. Returns false when a non-looping source ran out
 * (the caller stops the play and reports play-done).
 */
export function tickGenerated(ep: RelayEndpoint, now: number, output: RelayOutput): boolean {
  if (ep.dtmfSender !== null || ep.dtmfQueue.length > 0) {
    tickDtmf(ep, now, output);
    // A queued digit starts on the next tick: the play stays paused between digits.
    if (ep.dtmfSender !== null || ep.dtmfQueue.length > 0) return true;
    // The digits are over: the play resumes on the grid from here (frames during them are skipped).
    if (ep.frameSource !== null && ep.nextFrameAt < now) ep.nextFrameAt = playSlotAt(now);
  }
  const source = ep.frameSource;
  if (source === null) return true;
  let sent = 0;
  while (ep.nextFrameAt <= now) {
    if (sent === MAX_CATCH_UP_FRAMES) {
      const behind = Math.floor((now - ep.nextFrameAt) / RELAY_FRAME_MS) + 1;
      ep.outbound.skip(behind * RELAY_FRAME_SAMPLES);
      ep.nextFrameAt += behind * RELAY_FRAME_MS;
      break;
    }
    if (!source.next(ep.framePayload)) return false;
    sendFrame(ep, output);
    ep.nextFrameAt += RELAY_FRAME_MS;
    sent++;
  }
  return true;
}

function sendFrame(ep: RelayEndpoint, output: RelayOutput): void {
  if (!ep.receives || ep.rtpPort === 0) {
    // SDP says the peer does not receive (or we don't know where it is): the source runs
    // on so prompts end on time; the next frame sent starts a new feed.
    ep.outbound.interrupt();
    return;
  }
  const frame = ep.frame;
  ep.outbound.writeFrameHeader(frame, ep.pt, RELAY_FRAME_SAMPLES, ep.nextFrameAt);
  ep.packetsOut++;
  ep.bytesOut += frame.length;
  output.sendRtp(ep, frame);
}

/**
 * Queues one digit towards `ep`. False (nothing queued) when the digit is not DTMF, the
 * duration is unusable, or the peer negotiated no telephone-event or does not receive.
 */
export function queueDigit(ep: RelayEndpoint, digit: string, durationMs: number): boolean {
  const code = dtmfEventCode(digit);
  if (code === null || ep.dtmfPt < 0 || !ep.receives) return false;
  if (!(durationMs >= 1 && durationMs <= 8000)) return false; // RFC 4733 §2.5.1.3: one segment
  ep.dtmfQueue.push({ code, durationMs });
  return true;
}

function tickDtmf(ep: RelayEndpoint, now: number, output: RelayOutput): void {
  if (ep.dtmfPt < 0 || !ep.receives) {
    // Reconfigured without telephone-event (or to not receiving) while digits were pending.
    ep.dtmfSender = null;
    ep.dtmfQueue.length = 0;
    return;
  }
  let sender = ep.dtmfSender;
  if (sender === null) {
    const next = ep.dtmfQueue.shift();
    if (next === undefined) return;
    sender = new DtmfSender({ clockRate: 8000 });
    ep.dtmfSender = sender;
    ep.dtmfEventTimestamp = ep.outbound.startEvent(now);
    ep.dtmfStartedAt = now;
    ep.dtmfOut++;
    sendEventPackets(ep, sender.send(next.code, ep.dtmfEventTimestamp, next.durationMs, now), output);
  } else {
    sendEventPackets(ep, sender.tick(now), output);
  }
  if (!sender.busy) ep.dtmfSender = null;
}

function sendEventPackets(ep: RelayEndpoint, packets: ReturnType<DtmfSender["tick"]>, output: RelayOutput): void {
  for (const p of packets) {
    if (ep.rtpPort === 0) continue;
    // A fresh buffer per event packet: a few per digit, and several may go out in one tick.
    const packet = new Uint8Array(12 + p.payload.length);
    ep.outbound.writeEventHeader(packet, ep.dtmfPt, p.marker, p.timestamp, p.event.duration, ep.dtmfStartedAt, p.payload.length);
    packet.set(p.payload, 12);
    ep.packetsOut++;
    ep.bytesOut += packet.length;
    output.sendRtp(ep, packet);
  }
}
