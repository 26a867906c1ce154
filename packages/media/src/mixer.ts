/**
 * N-party audio mixer for conferences and supervisor whisper/barge.
 *
 * Every tick (one frame, 20 ms = 160 samples at 8 kHz by default) each participant may
 * `putFrame` its decoded audio; `mix()` then gives each participant the mix of the others
 * ("mix-minus": nobody hears itself). A participant that sent nothing this tick counts as
 * silence, so a late or lost packet never stalls the conference.
 *
 * Per participant:
 * - muted: contributes nothing;
 * - deaf: receives silence (its output frame is all zeros);
 * - listenTo: `null` (the default) hears everyone else; a set of ids hears only those
 *   (whisper: the caller listens to the agent only, so the supervisor coaching the agent
 *   is not heard by the caller). Ids in the set that are not (yet) participants are kept
 *   and take effect when they join. Its own id in the set is ignored (mix-minus).
 *
 * Cost: the sum of all contributions is computed once per tick in an Int32Array
 * (60 × 32768 fits easily); a default-mode output is `total − own`, clamped to Int16.
 * Custom-listen participants are mixed from their sources individually. Nothing is
 * allocated per tick: input, output and sum buffers are created when a participant joins,
 * and the returned Map is the same object every tick.
 */

export const MIXER_SAMPLE_RATE = 8000;
/** 20 ms at 8 kHz. */
export const MIXER_FRAME_SAMPLES = 160;
export const MIXER_DEFAULT_MAX_PARTICIPANTS = 60;

export interface MixerOptions {
  /** Samples per frame (default 160: 20 ms at 8 kHz). */
  frameSamples?: number;
  /** `addParticipant` refuses more than this (default 60). */
  maxParticipants?: number;
}

export interface ParticipantOptions {
  muted?: boolean;
  deaf?: boolean;
  /** `null`/absent: hears everyone else; otherwise hears only these ids. */
  listenTo?: Iterable<string> | null;
}

interface Participant {
  readonly id: string;
  /** This tick's frame; meaningful only when `hasFrame`. */
  readonly input: Int16Array;
  readonly output: Int16Array;
  hasFrame: boolean;
  muted: boolean;
  deaf: boolean;
  /** `null`: default mode (total − own). */
  listenTo: Set<string> | null;
  /** `listenTo` resolved to present participants other than itself (rebuilt on change). */
  sources: Participant[];
}

const INT16_MAX = 32767;
const INT16_MIN = -32768;

export class Mixer {
  readonly frameSamples: number;
  readonly maxParticipants: number;
  private readonly byId = new Map<string, Participant>();
  /** Iteration order of `mix()`, an array so a tick allocates no iterator. */
  private list: Participant[] = [];
  private readonly outputs = new Map<string, Int16Array>();
  private readonly total: Int32Array;
  private readonly scratch: Int32Array;
  private sourcesStale = false;

  constructor(options: MixerOptions = {}) {
    const frameSamples = options.frameSamples ?? MIXER_FRAME_SAMPLES;
    const maxParticipants = options.maxParticipants ?? MIXER_DEFAULT_MAX_PARTICIPANTS;
    if (!Number.isInteger(frameSamples) || frameSamples < 1) throw new RangeError(`mixer: frameSamples must be a positive integer, got ${frameSamples}`);
    if (!Number.isInteger(maxParticipants) || maxParticipants < 1 || maxParticipants > 65535) {
      // 65535 × 32768 still fits the Int32 sum.
      throw new RangeError(`mixer: maxParticipants must be an integer in 1..65535, got ${maxParticipants}`);
    }
    this.frameSamples = frameSamples;
    this.maxParticipants = maxParticipants;
    this.total = new Int32Array(frameSamples);
    this.scratch = new Int32Array(frameSamples);
  }

  get size(): number {
    return this.list.length;
  }

  has(id: string): boolean {
    return this.byId.has(id);
  }

  addParticipant(id: string, options: ParticipantOptions = {}): void {
    if (this.byId.has(id)) throw new Error(`mixer: participant '${id}' already present`);
    if (this.list.length >= this.maxParticipants) throw new RangeError(`mixer: full (${this.maxParticipants} participants), cannot add '${id}'`);
    const p: Participant = {
      id,
      input: new Int16Array(this.frameSamples),
      output: new Int16Array(this.frameSamples),
      hasFrame: false,
      muted: options.muted ?? false,
      deaf: options.deaf ?? false,
      listenTo: toSet(options.listenTo),
      sources: [],
    };
    this.byId.set(id, p);
    this.list.push(p);
    this.outputs.set(id, p.output);
    this.sourcesStale = true;
  }

  /** Returns false when `id` was not a participant. */
  removeParticipant(id: string): boolean {
    const p = this.byId.get(id);
    if (p === undefined) return false;
    this.byId.delete(id);
    this.outputs.delete(id);
    this.list = this.list.filter((q) => q !== p);
    this.sourcesStale = true;
    return true;
  }

  setMuted(id: string, muted: boolean): void {
    this.get(id).muted = muted;
  }

  setDeaf(id: string, deaf: boolean): void {
    this.get(id).deaf = deaf;
  }

  /** `null`: hear everyone else (default); otherwise hear only these ids. */
  setListenTo(id: string, ids: Iterable<string> | null): void {
    const p = this.get(id);
    p.listenTo = toSet(ids);
    this.sourcesStale = true;
  }

  isMuted(id: string): boolean {
    return this.get(id).muted;
  }

  isDeaf(id: string): boolean {
    return this.get(id).deaf;
  }

  /** A copy of the listen set, or `null` in default mode. */
  listenTo(id: string): string[] | null {
    const set = this.get(id).listenTo;
    return set === null ? null : [...set];
  }

  /**
   * This tick's audio from `id`, copied (the caller may reuse `frame`). A shorter frame is
   * padded with silence; a second frame in the same tick replaces the first.
   */
  putFrame(id: string, frame: Int16Array): void {
    const p = this.get(id);
    if (frame.length > this.frameSamples) throw new RangeError(`mixer: frame from '${id}' has ${frame.length} samples, at most ${this.frameSamples} allowed`);
    p.input.set(frame);
    if (frame.length < this.frameSamples) p.input.fill(0, frame.length);
    p.hasFrame = true;
  }

  /**
   * Mixes this tick and starts the next (all pending frames are consumed). Every
   * participant has an entry; the Map and its arrays are reused, so they are valid only
   * until the next `mix()`.
   */
  mix(): ReadonlyMap<string, Int16Array> {
    if (this.sourcesStale) this.resolveSources();
    const list = this.list;
    const total = this.total;
    const n = this.frameSamples;
    total.fill(0);
    for (let k = 0; k < list.length; k++) {
      const p = list[k];
      if (p === undefined || !contributes(p)) continue;
      const input = p.input;
      for (let i = 0; i < n; i++) total[i] = (total[i] ?? 0) + (input[i] ?? 0);
    }
    for (let k = 0; k < list.length; k++) {
      const p = list[k];
      if (p === undefined) continue;
      if (p.deaf) p.output.fill(0);
      else if (p.listenTo === null) this.mixMinus(p);
      else this.mixSources(p);
    }
    for (let k = 0; k < list.length; k++) {
      const p = list[k];
      if (p !== undefined) p.hasFrame = false;
    }
    return this.outputs;
  }

  private mixMinus(p: Participant): void {
    const total = this.total;
    const out = p.output;
    const n = this.frameSamples;
    if (contributes(p)) {
      const own = p.input;
      for (let i = 0; i < n; i++) out[i] = clamp16((total[i] ?? 0) - (own[i] ?? 0));
    } else {
      for (let i = 0; i < n; i++) out[i] = clamp16(total[i] ?? 0);
    }
  }

  private mixSources(p: Participant): void {
    const sum = this.scratch;
    const out = p.output;
    const n = this.frameSamples;
    sum.fill(0);
    const sources = p.sources;
    for (let k = 0; k < sources.length; k++) {
      const s = sources[k];
      if (s === undefined || !contributes(s)) continue;
      const input = s.input;
      for (let i = 0; i < n; i++) sum[i] = (sum[i] ?? 0) + (input[i] ?? 0);
    }
    for (let i = 0; i < n; i++) out[i] = clamp16(sum[i] ?? 0);
  }

  /** Membership or a listen set changed: map listen ids to present participants. */
  private resolveSources(): void {
    for (const p of this.list) {
      p.sources = [];
      if (p.listenTo === null) continue;
      for (const id of p.listenTo) {
        const s = this.byId.get(id);
        if (s !== undefined && s !== p) p.sources.push(s);
      }
    }
    this.sourcesStale = false;
  }

  private get(id: string): Participant {
    const p = this.byId.get(id);
    if (p === undefined) throw new Error(`mixer: no participant '${id}'`);
    return p;
  }
}

function contributes(p: Participant): boolean {
  return p.hasFrame && !p.muted;
}

function clamp16(v: number): number {
  return v > INT16_MAX ? INT16_MAX : v < INT16_MIN ? INT16_MIN : v;
}

function toSet(ids: Iterable<string> | null | undefined): Set<string> | null {
  return ids === null || ids === undefined ? null : new Set(ids);
}
