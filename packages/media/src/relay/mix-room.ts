/**
 * A mix room of the relay: endpoints whose audio is mixed rather than relayed (supervisor
 * listen/whisper/barge, conferences). The pure Mixer (mixer.ts) does the arithmetic
 * (mix-minus, muted, listenTo); this file feeds it and sends its output.
 *
 * Every 20 ms (a grid anchored at the room's creation, like a play's, relay-generate.ts)
 * each member's buffered audio (mix-input.ts) goes into the mixer, and each member is sent
 * its own mix encoded in its own law (PCMA or PCMU) with its own payload type, as one
 * generated frame on its outbound stream (own SSRC, sequence and timestamp, RFC 3550 §5.1).
 * A member we play to or send DTMF to (`generating`) hears that instead; its audio still
 * goes into the mix. Frames more than MAX_CATCH_UP_FRAMES late are skipped as a timestamp
 * gap, as for plays.
 */
import { Mixer } from "../mixer.js";
import { encodeAlaw, encodeUlaw } from "../g711.js";
import { MixInput } from "./mix-input.js";
import { MAX_CATCH_UP_FRAMES, playSlotAt } from "./relay-generate.js";
import type { RelayEndpoint } from "./relay-endpoint.js";
import { RELAY_FRAME_MS, RELAY_FRAME_SAMPLES, type MixOptions, type RelayOutput } from "./relay-types.js";

/** Members a room takes (a 60-party conference plus a few supervisors). */
export const MIX_ROOM_MAX_MEMBERS = 64;

/** An endpoint's place in a room (RelayEndpoint.mix). */
export class MixMember {
  readonly input = new MixInput();
  /** This tick's decoded audio of the member, handed to the mixer. */
  readonly pcm = new Int16Array(RELAY_FRAME_SAMPLES);

  constructor(
    readonly room: MixRoom,
    readonly endpoint: RelayEndpoint,
  ) {}
}

export class MixRoom {
  private readonly mixer = new Mixer({ frameSamples: RELAY_FRAME_SAMPLES, maxParticipants: MIX_ROOM_MAX_MEMBERS });
  private members: MixMember[] = [];
  /** When the next mixed frame is due. */
  nextFrameAt: number;

  constructor(
    readonly name: string,
    now: number,
  ) {
    this.nextFrameAt = playSlotAt(now);
  }

  get size(): number {
    return this.members.length;
  }

  get full(): boolean {
    return this.members.length >= MIX_ROOM_MAX_MEMBERS;
  }

  /** Adds `ep` (not in any room) and returns its membership. */
  add(ep: RelayEndpoint, options: MixOptions): MixMember {
    this.mixer.addParticipant(ep.id, { muted: options.muted, listenTo: options.listenTo });
    const m = new MixMember(this, ep);
    this.members.push(m);
    return m;
  }

  /** New options for a member (listen → whisper → barge). */
  update(m: MixMember, options: MixOptions): void {
    this.mixer.setMuted(m.endpoint.id, options.muted);
    this.mixer.setListenTo(m.endpoint.id, options.listenTo);
  }

  remove(m: MixMember): void {
    this.mixer.removeParticipant(m.endpoint.id);
    this.members = this.members.filter((x) => x !== m);
  }

  /** Sends the frames due at `now`. */
  tick(now: number, output: RelayOutput): void {
    let sent = 0;
    while (this.nextFrameAt <= now) {
      if (sent === MAX_CATCH_UP_FRAMES) {
        const behind = Math.floor((now - this.nextFrameAt) / RELAY_FRAME_MS) + 1;
        for (const m of this.members) {
          m.input.discard(behind * RELAY_FRAME_SAMPLES);
          if (!m.endpoint.generating) m.endpoint.outbound.skip(behind * RELAY_FRAME_SAMPLES);
        }
        this.nextFrameAt += behind * RELAY_FRAME_MS;
        break;
      }
      this.mixFrame(output);
      this.nextFrameAt += RELAY_FRAME_MS;
      sent++;
    }
  }

  private mixFrame(output: RelayOutput): void {
    const members = this.members;
    const mixer = this.mixer;
    for (let i = 0; i < members.length; i++) {
      const m = members[i]!;
      if (m.input.pull(m.pcm) > 0) mixer.putFrame(m.endpoint.id, m.pcm);
    }
    const outputs = mixer.mix();
    for (let i = 0; i < members.length; i++) {
      const ep = members[i]!.endpoint;
      if (ep.generating) continue; // a play or digit overrides the mix
      if (!ep.receives || ep.rtpPort === 0) {
        ep.outbound.interrupt(); // as for plays: the next frame sent starts a new feed
        continue;
      }
      const pcm = outputs.get(ep.id);
      if (pcm === undefined) continue;
      if (ep.ulaw) encodeUlaw(pcm, ep.framePayload);
      else encodeAlaw(pcm, ep.framePayload);
      const frame = ep.frame;
      ep.outbound.writeFrameHeader(frame, ep.pt, RELAY_FRAME_SAMPLES, this.nextFrameAt);
      ep.packetsOut++;
      ep.bytesOut += frame.length;
      output.sendRtp(ep, frame);
    }
  }
}

/** A session's rooms by name; a room is created by its first member and gone with its last. */
export class MixRooms {
  private readonly byName = new Map<string, MixRoom>();
  /** The same rooms as an array: ticked without an iterator, nothing to do when empty. */
  private list: MixRoom[] = [];

  get(name: string): MixRoom | undefined {
    return this.byName.get(name);
  }

  /** Room `name`, created if needed; null when it is full. */
  open(name: string, now: number): MixRoom | null {
    let room = this.byName.get(name);
    if (room === undefined) {
      room = new MixRoom(name, now);
      this.byName.set(name, room);
      this.list.push(room);
    }
    return room.full ? null : room;
  }

  /** Takes `ep` out of its room, if any; an emptied room is deleted. */
  leave(ep: RelayEndpoint): void {
    const m = ep.mix;
    if (m === null) return;
    ep.mix = null;
    const room = m.room;
    room.remove(m);
    if (room.size === 0) {
      this.byName.delete(room.name);
      this.list = this.list.filter((r) => r !== room);
    }
  }

  tick(now: number, output: RelayOutput): void {
    const list = this.list;
    for (let i = 0; i < list.length; i++) list[i]!.tick(now, output);
  }

  nextDeadline(): number {
    let next = Infinity;
    for (const room of this.list) next = Math.min(next, room.nextFrameAt);
    return next;
  }
}
