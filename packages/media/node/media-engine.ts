/**
 * The media engine: RTP endpoints on real sockets, relaying, transcoding, DTMF, tones, music
 * on hold and RTCP (the pure core is @hotline/media's RelaySession; README "Media engine").
 *
 * Threads: with `workers: 0` one MediaHost runs on the calling thread. With N workers each
 * worker runs its own MediaHost and owns its endpoints' sockets; this thread only sends
 * control messages and receives events and statistics. All endpoints of a group (a call)
 * go to the same worker, so a bridge never crosses threads; a new group goes to the worker
 * with the fewest endpoints. The port pool lives here, so workers never race for ports.
 *
 * Mix rooms (supervisor listen/whisper/barge, conferences) live in one host: a room is on
 * the worker of its first member, and a member from another worker is refused (counted as
 * `cross-worker-mix`). With the default `workers: 1`, or 0, every room works.
 *
 * Unknown ids (a call torn down while a message was in flight) are ignored and counted.
 */
import { checkEndpointConfig, checkPortPoolOptions, dtmfEventCode, holdMusicAudio, PortPool, type EndpointConfig, type EndpointStats, type MediaEvent, type WavAudio } from "@hotline/media";
import { clock, MediaHost, type HostCounters, type OpenResult } from "./media-host.js";
import { TONE_PLAN_IDS, type EndpointDescription, type MediaEngineOptions, type MixOptions, type PlaySource, type TonePlanName } from "./types.js";
import { loadWavSync } from "./wav-files.js";
import { WorkerHost } from "./worker-host.js";
import { DEFAULT_DTMF_DURATION_MS } from "@hotline/media";

const DEFAULT_RTCP_INTERVAL_MS = 5000;
const DEFAULT_MEDIA_TIMEOUT_MS = 60_000;
const MAX_WORKERS = 64;
const PLAY_KINDS = ["tone", "moh", "file", "files", "silence"] as const;
const PLAY_TONES = ["ringback", "busy", "congestion", "dial"] as const;

/** What the engine needs of a host, local or in a worker. */
interface Host {
  endpoints: number;
  open(id: string, rtpPort: number, rtcpPort: number): Promise<OpenResult>;
  configure(id: string, cfg: EndpointConfig): void;
  bridge(a: string, b: string): void;
  unbridge(id: string): void;
  play(id: string, source: PlaySource | null): void;
  mix(id: string, room: string, options: MixOptions): void;
  unmix(id: string): void;
  sendDtmf(id: string, digit: string, durationMs: number): void;
  stats(id: string): Promise<EndpointStats | null>;
  release(id: string): Promise<boolean>;
  counters(): Promise<HostCounters>;
  close(): Promise<void>;
}

/** The calling thread's MediaHost behind the same (async where needed) interface as a worker. */
class LocalHost implements Host {
  endpoints = 0;
  constructor(private readonly host: MediaHost) {}
  open = (id: string, rtpPort: number, rtcpPort: number): Promise<OpenResult> => this.host.open(id, rtpPort, rtcpPort);
  configure = (id: string, cfg: EndpointConfig): void => this.host.configure(id, cfg);
  bridge = (a: string, b: string): void => this.host.bridge(a, b);
  unbridge = (id: string): void => this.host.unbridge(id);
  play = (id: string, source: PlaySource | null): void => this.host.play(id, source);
  mix = (id: string, room: string, options: MixOptions): void => this.host.mix(id, room, options);
  unmix = (id: string): void => this.host.unmix(id);
  sendDtmf = (id: string, digit: string, durationMs: number): void => this.host.sendDtmf(id, digit, durationMs);
  stats = (id: string): Promise<EndpointStats | null> => Promise.resolve(this.host.stats(id));
  release = (id: string): Promise<boolean> => this.host.release(id);
  counters = (): Promise<HostCounters> => Promise.resolve(this.host.counters());
  close = (): Promise<void> => this.host.close();
}

interface Placed {
  host: Host;
  group: string;
  rtpPort: number;
  /** The mix room it is in, null when none. */
  room: string | null;
}

export class MediaEngine {
  private readonly pool: PortPool;
  private readonly placed = new Map<string, Placed>();
  private readonly groups = new Map<string, { host: Host; endpoints: number }>();
  /** Mix rooms by name: the host they live in and their members. */
  private readonly rooms = new Map<string, { host: Host; members: Set<string> }>();
  private readonly listeners: ((e: MediaEvent) => void)[] = [];
  private readonly counts: HostCounters = { "unknown-id": 0, "bad-digit": 0, "allocate-retry": 0 };
  private nextId = 1;
  private closed = false;
  private hosts: Host[] = [];

  private constructor(private readonly opts: MediaEngineOptions) {
    this.pool = new PortPool({ min: opts.portMin, max: opts.portMax, mode: "pair", ...(opts.portReuseMs !== undefined && { quarantineMs: opts.portReuseMs }) });
  }

  /** Validates the options, loads the music on hold, starts the workers. Rejects with what is wrong. */
  static async start(opts: MediaEngineOptions): Promise<MediaEngine> {
    const errors = checkEngineOptions(opts);
    if (errors.length > 0) throw new RangeError(`media engine: ${errors.join("; ")}`);
    const holdMusic: WavAudio = opts.mohFile === undefined || opts.mohFile === null ? holdMusicAudio() : loadWavSync(opts.mohFile);
    const engine = new MediaEngine(opts);
    const init = {
      bindAddress: opts.bindAddress,
      tonePlan: opts.tonePlan ?? "cn",
      holdMusic,
      rtcpIntervalMs: opts.rtcpIntervalMs ?? DEFAULT_RTCP_INTERVAL_MS,
      mediaTimeoutMs: opts.mediaTimeoutMs ?? DEFAULT_MEDIA_TIMEOUT_MS,
    };
    const emit = (e: MediaEvent): void => engine.emit(e);
    if (opts.workers === 0) engine.hosts = [new LocalHost(new MediaHost(init, emit))];
    else {
      const started = await Promise.allSettled(Array.from({ length: opts.workers }, () => WorkerHost.start(init, emit)));
      const ok = started.flatMap((s) => (s.status === "fulfilled" ? [s.value] : []));
      const failed = started.find((s) => s.status === "rejected");
      if (failed !== undefined) {
        await Promise.all(ok.map((h) => h.close()));
        throw (failed as PromiseRejectedResult).reason as Error;
      }
      engine.hosts = ok;
    }
    return engine;
  }

  get endpointCount(): number {
    return this.placed.size;
  }

  /** Binds an RTP/RTCP port pair for a new endpoint in `group` (a call: one worker per group). */
  async allocate(group: string): Promise<EndpointDescription> {
    if (this.closed) throw new Error("media engine: allocate after close");
    const host = this.hostFor(group);
    for (let attempt = 0; attempt <= this.pool.capacity; attempt++) {
      const now = clock();
      const ports = this.pool.allocate(now);
      if (!ports.ok) throw new Error(`media engine: ${ports.message}`);
      const id = `ep${this.nextId++}`;
      const result = await host.open(id, ports.rtpPort, ports.rtcpPort);
      if (result === "ok") {
        this.placed.set(id, { host, group, rtpPort: ports.rtpPort, room: null });
        host.endpoints++;
        const g = this.groups.get(group);
        if (g === undefined) this.groups.set(group, { host, endpoints: 1 });
        else g.endpoints++;
        return { id, address: this.opts.bindAddress, rtpPort: ports.rtpPort, rtcpPort: ports.rtcpPort };
      }
      // Another process holds one of the ports: skip the pair for a while, try the next.
      this.pool.markUnusable(ports.rtpPort, now);
      if (result !== "in-use") throw new Error(`media engine: ${result.error}`);
      this.counts["allocate-retry"]!++;
    }
    throw new Error(`media engine: no bindable RTP port pair in ${this.opts.portMin}–${this.opts.portMax}`);
  }

  configure(id: string, cfg: EndpointConfig): void {
    const p = this.find(id);
    if (p === null) return;
    const errors = checkEndpointConfig(cfg);
    if (errors.length > 0) throw new RangeError(`media engine: configure(${id}): ${errors.join("; ")}`);
    p.host.configure(id, cfg);
  }

  /** Relays a ⇄ b (transcoding and DTMF payload types mapped); each leaves any earlier bridge. */
  bridge(a: string, b: string): void {
    const x = this.find(a);
    const y = this.find(b);
    if (x === null || y === null) return;
    if (x.host !== y.host) {
      // Different groups placed on different workers: no packet crosses threads.
      this.counts["cross-worker-bridge"] = (this.counts["cross-worker-bridge"] ?? 0) + 1;
      return;
    }
    // A bridge takes both out of any mix room (the host does the same).
    this.leaveRoom(a, x);
    this.leaveRoom(b, y);
    x.host.bridge(a, b);
  }

  unbridge(id: string): void {
    this.find(id)?.host.unbridge(id);
  }

  /** What we send to `id`; while playing, the bridged peer's audio towards it is held back. null = relay again. */
  play(id: string, source: PlaySource | null): void {
    const p = this.find(id);
    if (p === null) return;
    const problem = source === null ? undefined : checkPlaySource(source);
    if (problem !== undefined) throw new RangeError(`media engine: play(${id}): ${problem}`);
    p.host.play(id, source);
  }

  /**
   * Puts `id` in mix room `room` (created by its first member), leaving any bridge or other
   * room; called again for a member it changes the options. Refused (counted, ignored) when
   * the room lives in another worker than `id` (only with workers > 1) or is full.
   */
  mix(id: string, room: string, options: MixOptions): void {
    const p = this.find(id);
    if (p === null) return;
    const problem = checkMixOptions(room, options);
    if (problem !== undefined) throw new RangeError(`media engine: mix(${id}): ${problem}`);
    const r = this.rooms.get(room);
    if (r !== undefined && r.host !== p.host) {
      // No packet crosses threads: a room's members must share its worker.
      this.counts["cross-worker-mix"] = (this.counts["cross-worker-mix"] ?? 0) + 1;
      return;
    }
    if (p.room !== room) {
      this.leaveRoom(id, p);
      if (r === undefined) this.rooms.set(room, { host: p.host, members: new Set([id]) });
      else r.members.add(id);
      p.room = room;
    }
    p.host.mix(id, room, { listenTo: options.listenTo === null ? null : [...options.listenTo], muted: options.muted });
  }

  /** Takes `id` out of its mix room; it hears silence until bridged or played to. */
  unmix(id: string): void {
    const p = this.find(id);
    if (p === null) return;
    this.leaveRoom(id, p);
    p.host.unmix(id);
  }

  /** RFC 4733 digit towards `id`. A digit that is not 0-9 * # A-D is input, not a bug: counted, dropped. */
  sendDtmf(id: string, digit: string, durationMs: number = DEFAULT_DTMF_DURATION_MS): void {
    const p = this.find(id);
    if (p === null) return;
    if (dtmfEventCode(digit) === null || !(durationMs >= 1 && durationMs <= 8000)) {
      this.counts["bad-digit"]!++;
      return;
    }
    p.host.sendDtmf(id, digit, durationMs);
  }

  onEvent(listener: (e: MediaEvent) => void): void {
    this.listeners.push(listener);
  }

  /** Statistics of `id`; null for an unknown id. */
  async stats(id: string): Promise<EndpointStats | null> {
    const p = this.placed.get(id);
    return p === undefined ? null : p.host.stats(id);
  }

  /** Closes the endpoint's sockets and returns its ports to the pool (after a quarantine). */
  async release(id: string): Promise<void> {
    const p = this.placed.get(id);
    if (p === undefined) return;
    this.placed.delete(id);
    this.leaveRoom(id, p);
    p.host.endpoints--;
    const g = this.groups.get(p.group);
    if (g !== undefined && --g.endpoints === 0) this.groups.delete(p.group);
    await p.host.release(id).catch(() => false);
    this.pool.release(p.rtpPort, clock());
  }

  /** Counters of the engine and its hosts (drops by reason, unknown ids, socket errors). */
  async counters(): Promise<HostCounters> {
    const total: HostCounters = { ...this.counts };
    for (const c of await Promise.all(this.hosts.map((h) => h.counters().catch(() => ({}) as HostCounters)))) {
      for (const [k, v] of Object.entries(c)) total[k] = (total[k] ?? 0) + v;
    }
    return total;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all(this.hosts.map((h) => h.close()));
    this.placed.clear();
    this.groups.clear();
    this.rooms.clear();
  }

  private emit(e: MediaEvent): void {
    for (const l of this.listeners) l(e);
  }

  private find(id: string): Placed | null {
    const p = this.placed.get(id);
    if (p === undefined) {
      this.counts["unknown-id"]!++;
      return null;
    }
    return p;
  }

  /** Engine bookkeeping only: the host takes the endpoint out of its room itself. */
  private leaveRoom(id: string, p: Placed): void {
    if (p.room === null) return;
    const r = this.rooms.get(p.room);
    if (r !== undefined) {
      r.members.delete(id);
      if (r.members.size === 0) this.rooms.delete(p.room);
    }
    p.room = null;
  }

  private hostFor(group: string): Host {
    const g = this.groups.get(group);
    if (g !== undefined) return g.host;
    let best = this.hosts[0]!;
    for (const h of this.hosts) if (h.endpoints < best.endpoints) best = h;
    return best;
  }
}

/** Option problems, one message each; empty when the options are usable. */
export function checkEngineOptions(opts: MediaEngineOptions): string[] {
  const errors: string[] = [];
  if (typeof opts.bindAddress !== "string" || opts.bindAddress === "") errors.push("bindAddress must be an IP address");
  errors.push(...checkPortPoolOptions({ min: opts.portMin, max: opts.portMax, mode: "pair" }).map((e) => `ports: ${e}`));
  if (!Number.isInteger(opts.workers) || opts.workers < 0 || opts.workers > MAX_WORKERS) errors.push(`workers ${String(opts.workers)}: need a whole number 0..${MAX_WORKERS}`);
  if (opts.tonePlan !== undefined && !(TONE_PLAN_IDS as readonly string[]).includes(opts.tonePlan)) errors.push(`tonePlan '${String(opts.tonePlan)}': one of ${TONE_PLAN_IDS.join(", ")}`);
  if (opts.rtcpIntervalMs !== undefined && !(opts.rtcpIntervalMs >= 100)) errors.push(`rtcpIntervalMs ${opts.rtcpIntervalMs}: need ≥ 100`);
  if (opts.mediaTimeoutMs !== undefined && !(opts.mediaTimeoutMs >= 0)) errors.push(`mediaTimeoutMs ${opts.mediaTimeoutMs}: need ≥ 0 (0 = off)`);
  if (opts.portReuseMs !== undefined && !(opts.portReuseMs >= 0 && Number.isFinite(opts.portReuseMs))) errors.push(`portReuseMs ${opts.portReuseMs}: need a finite number ≥ 0`);
  return errors;
}

function checkPlaySource(source: PlaySource): string | undefined {
  if (!(PLAY_KINDS as readonly string[]).includes(source.kind)) return `unknown play source kind '${String(source.kind)}' (one of ${PLAY_KINDS.join(", ")})`;
  if (source.kind === "tone" && !(PLAY_TONES as readonly string[]).includes(source.tone)) return `unknown tone '${String(source.tone)}' (one of ${PLAY_TONES.join(", ")})`;
  if (source.kind === "file" && (typeof source.path !== "string" || source.path === "")) return "file source without a path";
  if (source.kind === "files") {
    if (!Array.isArray(source.paths) || source.paths.length === 0) return "files source without paths";
    if (source.paths.some((p) => typeof p !== "string" || p === "")) return "files source with an empty path";
  }
  return undefined;
}

function checkMixOptions(room: string, options: MixOptions): string | undefined {
  if (typeof room !== "string" || room === "") return "room must be a non-empty name";
  if (typeof options.muted !== "boolean") return "muted must be true or false";
  const l = options.listenTo;
  if (l !== null && (!Array.isArray(l) || l.some((x) => typeof x !== "string"))) return "listenTo must be null or a list of endpoint ids";
  return undefined;
}

export type { TonePlanName };
