/**
 * Runs a RelaySession on real sockets in one thread (the caller's with `workers: 0`, or a
 * worker's): a UDP socket pair per endpoint (RTP + RTCP), a drift-free timer for what the
 * session generates, and the control operations by endpoint id.
 *
 * Per packet: Node hands us a fresh Buffer per datagram; the session rewrites it in place
 * and calls `sendRtp`, which sends the same bytes. No promise, closure or object of ours is
 * created per packet, and the endpoint is reached through the closure made at bind time.
 *
 * Sending: once an endpoint's RTP is latched (a real source address), its socket is
 * connected to it (`socket.connect`): a connected send skips the address lookup and was
 * ~10 % cheaper per packet than `send(buf, port, address)` here (README "Media engine"),
 * and the kernel then drops datagrams from other sources, which is the latch rule anyway.
 * Unlatched sends give the address each time; a synchronous `lookup` for IP literals
 * saves the default dns.lookup's extra tick per send.
 */
import { createSocket, type Socket } from "node:dgram";
import { lookup as dnsLookup } from "node:dns";
import { isIP, isIPv6 } from "node:net";
import { RelaySession, TONE_PLANS, type EndpointConfig, type EndpointStats, type MediaEvent, type MixOptions, type RelayEndpoint, type RelayOutput, type WavAudio } from "@hotline/media";
import type { PlaySource, TonePlanName } from "./types.js";
import { loadWav } from "./wav-files.js";

export interface MediaHostOptions {
  bindAddress: string;
  tonePlan: TonePlanName;
  holdMusic: WavAudio;
  rtcpIntervalMs: number;
  mediaTimeoutMs: number;
}

export type OpenResult = "ok" | "in-use" | { error: string };

/** Counters of one host; every drop has a reason (STYLE.md §6). */
export type HostCounters = Record<string, number>;

// The timeOrigin getter costs ~20-30 ns a call; the clock is read once per packet.
const TIME_ORIGIN = performance.timeOrigin;
/** Wall-clock milliseconds with sub-ms resolution, monotonic within the thread. */
export const clock = (): number => TIME_ORIGIN + performance.now();

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string, family: number) => void;

/** IP literals resolve at once (no extra tick per send); names go to dns.lookup. */
function syncLookup(host: string, options: unknown, callback: LookupCallback): void {
  const family = isIP(host);
  if (family !== 0) callback(null, host, family);
  else dnsLookup(host, options as number, callback);
}

interface EndpointSockets {
  readonly id: string;
  readonly rtp: Socket;
  readonly rtcp: Socket;
  readonly endpoint: RelayEndpoint;
  /** destinationVersion the RTP socket is connected to; -1 = not connected. */
  connectedVersion: number;
  /** Bumped by every play(): a file that finishes loading after a newer play is dropped. */
  playGeneration: number;
}

export class MediaHost implements RelayOutput {
  private readonly session: RelaySession;
  private readonly endpoints = new Map<string, EndpointSockets>();
  private readonly counts: HostCounters = { "unknown-id": 0, "socket-error": 0, "send-error": 0, "packet-error": 0, "file-error": 0 };
  private timer: NodeJS.Timeout | null = null;
  private timerAt = Infinity;
  private readonly socketType: "udp4" | "udp6";

  constructor(
    private readonly options: MediaHostOptions,
    private readonly onEvent: (e: MediaEvent) => void,
  ) {
    this.socketType = isIPv6(options.bindAddress) ? "udp6" : "udp4";
    this.session = new RelaySession({
      output: this,
      random: () => (Math.random() * 0x100000000) >>> 0,
      tonePlan: TONE_PLANS[options.tonePlan],
      holdMusic: options.holdMusic,
      rtcpIntervalMs: options.rtcpIntervalMs,
      mediaTimeoutMs: options.mediaTimeoutMs,
      cname: `hotline@${options.bindAddress}`,
    });
  }

  get size(): number {
    return this.endpoints.size;
  }

  /** Binds the RTP and RTCP ports for a new endpoint `id`; "in-use" when either is taken. */
  async open(id: string, rtpPort: number, rtcpPort: number): Promise<OpenResult> {
    const rtp = createSocket({ type: this.socketType, lookup: syncLookup });
    const rtcp = createSocket({ type: this.socketType, lookup: syncLookup });
    try {
      await bind(rtp, rtpPort, this.options.bindAddress);
      await bind(rtcp, rtcpPort, this.options.bindAddress);
    } catch (err) {
      rtp.close();
      rtcp.close();
      const code = (err as NodeJS.ErrnoException).code;
      return code === "EADDRINUSE" || code === "EACCES" ? "in-use" : { error: `bind ${this.options.bindAddress}:${rtpPort}/${rtcpPort}: ${(err as Error).message}` };
    }
    const endpoint = this.session.createEndpoint(id, clock());
    const sockets: EndpointSockets = { id, rtp, rtcp, endpoint, connectedVersion: -1, playGeneration: 0 };
    endpoint.io = sockets;
    const session = this.session;
    rtp.on("message", (msg, rinfo) => {
      try {
        session.receiveRtp(endpoint, msg, rinfo.address, rinfo.port, clock());
      } catch {
        this.counts["packet-error"]!++; // last-resort guard: serve the next packet
      }
    });
    rtcp.on("message", (msg, rinfo) => {
      try {
        session.receiveRtcp(endpoint, msg, rinfo.address, rinfo.port, clock());
      } catch {
        this.counts["packet-error"]!++;
      }
    });
    // ICMP port unreachable and the like surface as errors on some platforms: count them.
    const onError = (): void => void this.counts["socket-error"]!++;
    rtp.on("error", onError);
    rtcp.on("error", onError);
    this.endpoints.set(id, sockets);
    this.schedule();
    return "ok";
  }

  configure(id: string, cfg: EndpointConfig): void {
    const s = this.find(id);
    if (s === null) return;
    this.session.configure(s.endpoint, cfg);
    // Learning again (or not latching): the socket must hear every source and send by address.
    if (!s.endpoint.latched && s.connectedVersion !== -1) this.disconnect(s);
  }

  bridge(a: string, b: string): void {
    const x = this.find(a);
    const y = this.find(b);
    if (x !== null && y !== null) this.session.bridge(x.endpoint, y.endpoint, clock());
  }

  unbridge(id: string): void {
    const s = this.find(id);
    if (s !== null) this.session.unbridge(s.endpoint);
  }

  play(id: string, source: PlaySource | null): void {
    const s = this.find(id);
    if (s === null) return;
    const generation = ++s.playGeneration;
    if (source === null || (source.kind !== "file" && source.kind !== "files")) {
      this.session.play(s.endpoint, source, clock());
      this.schedule();
      return;
    }
    const paths = source.kind === "file" ? [source.path] : source.paths;
    // Every file of a playlist is loaded before the first frame: one unreadable file ends
    // the whole play at once (a say-number with a digit missing would mislead the caller).
    Promise.all(paths.map((path) => loadWav(path))).then(
      (audio) => {
        if (s.playGeneration !== generation || s.endpoint.slot < 0) return; // superseded or released
        this.session.play(s.endpoint, { kind: "prompt", audio, loop: source.loop }, clock());
        this.schedule();
      },
      () => {
        this.counts["file-error"]!++;
        if (s.playGeneration === generation && s.endpoint.slot >= 0) this.onEvent({ type: "play-done", id });
      },
    );
  }

  /** Puts `id` in mix room `room` (leaving any bridge); a full room refuses it (counted). */
  mix(id: string, room: string, options: MixOptions): void {
    const s = this.find(id);
    if (s === null) return;
    if (this.session.mix(s.endpoint, room, options, clock())) this.schedule();
    else this.counts["mix-room-full"] = (this.counts["mix-room-full"] ?? 0) + 1;
  }

  unmix(id: string): void {
    const s = this.find(id);
    if (s === null) return;
    this.session.unmix(s.endpoint);
    this.schedule();
  }

  sendDtmf(id: string, digit: string, durationMs: number): void {
    const s = this.find(id);
    if (s === null) return;
    if (this.session.sendDtmf(s.endpoint, digit, durationMs)) this.schedule();
    else this.counts["dtmf-not-sent"] = (this.counts["dtmf-not-sent"] ?? 0) + 1;
  }

  stats(id: string): EndpointStats | null {
    const s = this.endpoints.get(id);
    return s === undefined ? null : this.session.stats(s.endpoint);
  }

  /** Closes the endpoint's sockets (after an RTCP BYE); false for an unknown id. */
  async release(id: string): Promise<boolean> {
    const s = this.endpoints.get(id);
    if (s === undefined) return false;
    this.endpoints.delete(id);
    s.playGeneration++;
    this.session.remove(s.endpoint);
    await Promise.all([closeSocket(s.rtp), closeSocket(s.rtcp)]);
    this.schedule();
    return true;
  }

  counters(): HostCounters {
    return { ...this.counts, ...prefixed("drop.", this.session.counters()) };
  }

  async close(): Promise<void> {
    await Promise.all([...this.endpoints.keys()].map((id) => this.release(id)));
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  // --- RelayOutput: called by the session -------------------------------------------------

  sendRtp(to: RelayEndpoint, data: Uint8Array): void {
    const s = to.io as EndpointSockets;
    try {
      if (to.latched) {
        if (s.connectedVersion !== to.destinationVersion) this.connect(s);
        if (s.connectedVersion === to.destinationVersion) {
          s.rtp.send(data);
          return;
        }
      }
      s.rtp.send(data, to.rtpPort, to.rtpAddress);
    } catch {
      this.counts["send-error"]!++;
    }
  }

  sendRtcp(to: RelayEndpoint, data: Uint8Array): void {
    const s = to.io as EndpointSockets;
    try {
      s.rtcp.send(data, to.rtcpPort, to.rtcpAddress);
    } catch {
      this.counts["send-error"]!++;
    }
  }

  event(e: MediaEvent): void {
    this.onEvent(e);
  }

  // --- internals ----------------------------------------------------------------------------

  private find(id: string): EndpointSockets | null {
    const s = this.endpoints.get(id);
    if (s === undefined) {
      this.counts["unknown-id"]!++;
      return null;
    }
    return s;
  }

  /** Connects the RTP socket to the latched source. With syncLookup this completes at once. */
  private connect(s: EndpointSockets): void {
    const ep = s.endpoint;
    if (s.connectedVersion !== -1) this.disconnect(s);
    try {
      s.rtp.connect(ep.rtpPort, ep.rtpAddress);
      s.rtp.remoteAddress(); // throws unless connected now
      s.connectedVersion = ep.destinationVersion;
    } catch {
      // Not connected (yet): keep sending by address.
    }
  }

  private disconnect(s: EndpointSockets): void {
    try {
      s.rtp.disconnect();
    } catch {
      // ERR_SOCKET_DGRAM_NOT_CONNECTED: nothing to undo.
    }
    s.connectedVersion = -1;
  }

  /** Arms the timer for the session's next deadline (absolute times: no drift). */
  private schedule(): void {
    const deadline = this.session.nextDeadline();
    if (deadline === Infinity) {
      if (this.timer !== null) clearTimeout(this.timer);
      this.timer = null;
      this.timerAt = Infinity;
      return;
    }
    if (this.timer !== null && this.timerAt <= deadline) return;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timerAt = deadline;
    // Node timers have 1 ms resolution and never fire early by more than the fraction: round up.
    this.timer = setTimeout(this.onTimer, Math.max(0, Math.ceil(deadline - clock())));
    this.timer.unref();
  }

  private readonly onTimer = (): void => {
    this.timer = null;
    this.timerAt = Infinity;
    try {
      this.session.tick(clock());
    } catch {
      this.counts["packet-error"]!++;
    }
    this.schedule();
  };
}

function bind(socket: Socket, port: number, address: string): Promise<void> {
  return new Promise((resolve, reject) => {
    socket.once("error", reject);
    socket.bind({ port, address, exclusive: true }, () => {
      socket.off("error", reject);
      resolve();
    });
  });
}

function closeSocket(socket: Socket): Promise<void> {
  return new Promise((resolve) => {
    try {
      socket.close(() => resolve());
    } catch {
      resolve(); // already closed
    }
  });
}

function prefixed(prefix: string, counts: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(counts)) out[prefix + k] = v;
  return out;
}
