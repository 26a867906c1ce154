/**
 * An in-process network between TransactionLayers, after pjsip's loop transport. Messages
 * are serialized on send and parsed on delivery, so the wire path is exercised too. Knobs
 * drop the Nth packet (or a random share), delay, duplicate and reorder. Tests drive it by
 * moving time: advanceTo(t) delivers packets, runs TU tasks and fires transaction timers
 * in time order, and nothing ever sleeps.
 */
import type { SipMessage, SipRequest } from "../message.js";
import { parseMessage } from "../parse-message.js";
import { serializeMessage, startLine } from "../serialize-message.js";
import { TransactionLayer } from "../transaction/transaction-layer.js";
import type { TransactionLayerAction, TransactionLayerOptions } from "../transaction/transaction-layer-types.js";
import type { TransactionRef } from "../transaction/transaction-types.js";
import { isReliable, type Endpoint } from "../transport-types.js";
import { FakeClock } from "./fake-clock.js";

/** Everything a layer hands its TU (all actions but "send"). */
export type TuAction = Exclude<TransactionLayerAction, { type: "send" }>;

/** Reacts to what a node's layer reported; may return more actions for the node (e.g. sendResponse's). */
export type TransactionUser = (action: TuAction, node: LoopNode, now: number) => TransactionLayerAction[] | void;

export interface PacketInfo {
  /** 1-based, in the order packets were handed to the network (copies share their original's). */
  n: number;
  from: string;
  to: Endpoint;
  message: SipMessage;
  startLine: string;
  sentAt: number;
}

export type PacketFate = "in-flight" | "delivered" | "dropped" | "no-route" | "unparsable";

export interface PacketRecord extends PacketInfo {
  fate: PacketFate;
  deliveredAt: number | null;
  /** True for the extra copy of a duplicated packet. */
  copy: boolean;
}

export interface LoopKnobs {
  /** Needed by the *Rate knobs; pass a seeded one (testing/seeded-random.ts). */
  random?: () => number;
  dropRate?: number;
  dropNth?: readonly number[];
  dropIf?: (p: PacketInfo) => boolean;
  /** One-way delay in ms (default 0), or per packet. */
  delay?: number | ((p: PacketInfo) => number);
  duplicateRate?: number;
  duplicateNth?: readonly number[];
  /** How much later than the original a copy arrives (default 0). */
  duplicateDelay?: number;
  reorderRate?: number;
  /** Packets held back by reorderDelay so that later ones overtake them. */
  reorderNth?: readonly number[];
  reorderDelay?: number;
}

export class LoopNode {
  /** Every non-send action the layer produced, in order. */
  readonly events: TuAction[] = [];

  constructor(
    readonly name: string,
    readonly endpoint: Endpoint,
    readonly layer: TransactionLayer,
    public tu: TransactionUser | undefined,
  ) {}

  eventsOf<K extends TuAction["type"]>(type: K): Extract<TuAction, { type: K }>[] {
    return this.events.filter((e): e is Extract<TuAction, { type: K }> => e.type === type);
  }
}

interface Scheduled {
  at: number;
  seq: number;
  run: (now: number) => void;
}

const MAX_STEPS = 1_000_000;

export class LoopNetwork {
  readonly packets: PacketRecord[] = [];
  private readonly nodes = new Map<string, LoopNode>();
  private readonly queue: Scheduled[] = [];
  private sent = 0;
  private seq = 0;

  constructor(
    private readonly knobs: LoopKnobs = {},
    readonly clock: FakeClock = new FakeClock(),
  ) {}

  get now(): number {
    return this.clock.now;
  }

  addNode(name: string, endpoint: Endpoint, options: { layer?: TransactionLayerOptions; tu?: TransactionUser } = {}): LoopNode {
    const node = new LoopNode(name, endpoint, new TransactionLayer(options.layer), options.tu);
    this.nodes.set(endpointKey(endpoint), node);
    return node;
  }

  /** Carries out a node's actions: sends go on the wire, the rest to its TU (and its event log). */
  dispatch(node: LoopNode, actions: readonly TransactionLayerAction[]): void {
    for (const a of actions) {
      if (a.type === "send") {
        this.transmit(node, a.destination, a.message);
        continue;
      }
      node.events.push(a);
      const more = node.tu?.(a, node, this.clock.now);
      if (more) this.dispatch(node, more);
    }
  }

  /** Starts a client transaction on `node` now and puts its first send on the wire. */
  sendRequest(node: LoopNode, request: SipRequest, destination: Endpoint): TransactionRef {
    const { tx, actions } = node.layer.sendRequest(request, destination, this.clock.now);
    this.dispatch(node, actions);
    return tx;
  }

  /** Runs `fn` at time `at` (TU timers such as 2xx retransmissions). */
  schedule(at: number, fn: (now: number) => void): void {
    this.insert({ at, seq: this.seq++, run: fn });
  }

  /** Processes every event up to `target`, then sets the clock to it. */
  advanceTo(target: number): void {
    this.run(target);
    if (target > this.clock.now) this.clock.set(target);
  }

  advanceBy(ms: number): void {
    this.advanceTo(this.clock.now + ms);
  }

  /** Processes events until nothing is pending (no packets, tasks or timers) or `limit`. */
  runUntilIdle(limit = Number.MAX_SAFE_INTEGER): void {
    this.run(limit);
  }

  private run(target: number): void {
    for (let steps = 0; ; steps++) {
      if (steps > MAX_STEPS) throw new Error(`LoopNetwork: more than ${MAX_STEPS} events before ${target} ms (livelock?)`);
      const next = this.nextEventAt();
      if (next === null || next > target) return;
      if (next > this.clock.now) this.clock.set(next);
      this.step(this.clock.now);
    }
  }

  private nextEventAt(): number | null {
    let next = this.queue[0]?.at ?? null;
    for (const node of this.nodes.values()) {
      const d = node.layer.nextDeadline();
      if (d !== null && (next === null || d < next)) next = d;
    }
    return next;
  }

  private step(now: number): void {
    const first = this.queue[0];
    if (first !== undefined && first.at <= now) {
      this.queue.shift();
      first.run(now);
      return;
    }
    for (const node of this.nodes.values()) {
      const d = node.layer.nextDeadline();
      if (d !== null && d <= now) this.dispatch(node, node.layer.tick(now));
    }
  }

  private transmit(from: LoopNode, to: Endpoint, message: SipMessage): void {
    const info: PacketInfo = { n: ++this.sent, from: from.name, to, message, startLine: startLine(message), sentAt: this.clock.now };
    const k = this.knobs;
    const roll = (rate: number | undefined): boolean => rate !== undefined && rate > 0 && (k.random ?? missingRandom)() < rate;
    const record: PacketRecord = { ...info, fate: "in-flight", deliveredAt: null, copy: false };
    this.packets.push(record);
    if ((k.dropNth?.includes(info.n) ?? false) || (k.dropIf?.(info) ?? false) || roll(k.dropRate)) {
      record.fate = "dropped";
      return;
    }
    let delay = typeof k.delay === "function" ? k.delay(info) : (k.delay ?? 0);
    if ((k.reorderNth?.includes(info.n) ?? false) || roll(k.reorderRate)) delay += k.reorderDelay ?? 50;
    const bytes = serializeMessage(message);
    this.schedule(info.sentAt + delay, (now) => this.deliver(from, to, bytes, record, now));
    if ((k.duplicateNth?.includes(info.n) ?? false) || roll(k.duplicateRate)) {
      const copy: PacketRecord = { ...info, fate: "in-flight", deliveredAt: null, copy: true };
      this.packets.push(copy);
      this.schedule(info.sentAt + delay + (k.duplicateDelay ?? 0), (now) => this.deliver(from, to, bytes, copy, now));
    }
  }

  private deliver(from: LoopNode, to: Endpoint, bytes: Uint8Array, record: PacketRecord, now: number): void {
    const node = this.nodes.get(endpointKey(to));
    if (node === undefined || node.endpoint.transport !== to.transport) {
      record.fate = "no-route";
      return;
    }
    const parsed = parseMessage(bytes, { stream: isReliable(to.transport) });
    if (!parsed.ok) {
      record.fate = "unparsable";
      return;
    }
    record.fate = "delivered";
    record.deliveredAt = now;
    const source: Endpoint = { transport: to.transport, address: from.endpoint.address, port: from.endpoint.port };
    const msg = parsed.message;
    this.dispatch(node, msg.kind === "request" ? node.layer.receiveRequest(msg, source, now) : node.layer.receiveResponse(msg, source, now));
  }

  private insert(s: Scheduled): void {
    let lo = 0;
    let hi = this.queue.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const m = this.queue[mid]!;
      if (m.at < s.at || (m.at === s.at && m.seq < s.seq)) lo = mid + 1;
      else hi = mid;
    }
    this.queue.splice(lo, 0, s);
  }
}

function endpointKey(e: Endpoint): string {
  return `${e.address}:${e.port}`;
}

function missingRandom(): number {
  throw new Error("LoopNetwork: a *Rate knob needs knobs.random (a seeded source)");
}
