// The call manager's view of the dial plan: the router, trunks, and extension settings
// merged from the config and the runtime overrides kept in the store (feature codes, API).
import type { FlowEndpoint } from "@hotline/sip";
import {
  effectiveSettings,
  normalizeInbound,
  Router,
  TrunkMatcher,
  type DialPlan,
  type ExtensionCallSettings,
  type ExtensionSettingsOverride,
  type ExtensionSettingsPatch,
  type RoutingPort,
  type Store,
  type TrunkInfo,
} from "@hotline/switch";

export class ConfigRoutingPort implements RoutingPort {
  readonly router: Router;
  private readonly matcher: TrunkMatcher;
  private readonly overrides = new Map<string, ExtensionSettingsOverride>();
  private readonly trunks = new Map<string, TrunkInfo>();
  readonly park: RoutingPort["park"];
  readonly queues: RoutingPort["queues"];
  readonly agents: RoutingPort["agents"];

  constructor(
    private readonly plan: DialPlan,
    private readonly store: Store,
    /** Usernames known to the store (refreshed by the owner). */
    private readonly users: ReadonlySet<string>,
  ) {
    this.router = new Router(plan, (ext) => users.has(ext));
    this.matcher = new TrunkMatcher(plan.trunks);
    for (const [name, t] of Object.entries(plan.trunks)) {
      const host = t.host.includes(":") ? `[${t.host}]` : t.host;
      this.trunks.set(name, {
        name,
        flow: { transport: t.transport, address: t.host, port: t.port },
        hostPort: `${host}:${t.port}`,
        credentials: t.auth,
        callerId: t.callerId,
      });
    }
    this.park = { code: plan.park.code ?? "", slots: parkSlots(plan.park.slots), timeoutSeconds: plan.park.timeoutSeconds };
    this.queues = plan.queues;
    this.agents = plan.agents;
  }

  /** Loads runtime overrides from the store (at start). */
  async load(): Promise<void> {
    for (const r of await this.store.extensionSettings.list()) {
      this.overrides.set(r.extension, { dnd: r.dnd, callWaiting: r.callWaiting, forwardAlways: r.forwardAlways, forwardBusy: r.forwardBusy, forwardNoAnswer: r.forwardNoAnswer });
    }
  }

  route: RoutingPort["route"] = (input, now) => this.router.route(input, now);
  resolve: RoutingPort["resolve"] = (destination, input, now) => this.router.resolve(destination, input, now);

  async settings(extension: string): Promise<ExtensionCallSettings> {
    return effectiveSettings(this.plan, extension, this.overrides.get(extension) ?? null);
  }

  async updateSettings(extension: string, patch: ExtensionSettingsPatch, now: number): Promise<void> {
    const cur = this.overrides.get(extension) ?? { dnd: null, callWaiting: null, forwardAlways: null, forwardBusy: null, forwardNoAnswer: null };
    // A forward switched off at run time is stored as "" so it also overrides a forward
    // the config sets (null would fall back to the config's).
    const fwd = (v: string | null | undefined, old: string | null): string | null => (v === undefined ? old : v === null ? "" : v);
    const next: ExtensionSettingsOverride = {
      dnd: patch.dnd ?? cur.dnd,
      callWaiting: patch.callWaiting ?? cur.callWaiting,
      forwardAlways: fwd(patch.forwardAlways, cur.forwardAlways),
      forwardBusy: fwd(patch.forwardBusy, cur.forwardBusy),
      forwardNoAnswer: fwd(patch.forwardNoAnswer, cur.forwardNoAnswer),
    };
    await this.store.extensionSettings.put({ extension, ...next, updatedAt: now });
    this.overrides.set(extension, next);
  }

  /** After the HTTP API changed a record directly in the store. */
  setOverride(extension: string, o: ExtensionSettingsOverride): void {
    this.overrides.set(extension, o);
  }

  trunk(name: string): TrunkInfo | undefined {
    return this.trunks.get(name);
  }

  trunkFor(source: FlowEndpoint): string | null {
    return this.matcher.trunkFor(source.address, source.port);
  }

  normalize(trunk: string, number: string): string {
    return normalizeInbound(this.plan.trunks[trunk] ?? null, number);
  }
}

/** "701-720" → ["701", …, "720"] (validated by the config schema). */
export function parkSlots(range: string): string[] {
  const [lo, hi] = range.split("-");
  if (lo === undefined || hi === undefined) return [];
  const out: string[] = [];
  for (let n = Number(lo); n <= Number(hi) && out.length < 1000; n++) out.push(String(n).padStart(lo.length, "0"));
  return out;
}
