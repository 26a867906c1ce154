// Steps of queue calls shared by the switch's queue unit tests (the fakes live in call-rig.ts):
// a caller joins a queue, presses the callback digit, hears its prompt out; an agent logs in and
// answers; the citizen answers the callback. Each step ends with settle(), as the tests did.
import type { Call } from "../calls/call.js";
import type { QueueEntry } from "../routing/index.js";
import { answerSdp, invite, reply, settle, type Rig, type SentRequest } from "./call-rig.js";

/** A UDP source on 127.0.0.1 (a phone or trunk of the rig). */
export const SRC = (port: number) => ({ transport: "udp" as const, address: "127.0.0.1", port });
/** A linear queue without members (tests add them), 15 s ring, 5 s wrap-up, no limits. */
export const QUEUE: QueueEntry = { name: null, strategy: "linear", members: {}, ringSeconds: 15, wrapUpSeconds: 5, maxWaitSeconds: null, overflow: null, maxLength: null };
/** Callbacks on digit 1: 3 attempts 120 s apart, agents rung 30 s. */
export const CALLBACK = { enabled: true, digit: "1", maxAttempts: 3, retrySeconds: 120, ringSeconds: 30 };
/** English announcements: the first after 5 s, the position every 60 s. */
export const ANNOUNCE = { language: "en" as const, positionEverySeconds: 60, firstAfterSeconds: 5, periodicFile: null, periodicEverySeconds: null };

export const invites = (r: Rig): SentRequest[] => r.sip.requests.filter((x) => x.request.method === "INVITE");
/** INVITEs the switch sent to `user` (an extension or a dialled number), oldest first. */
export const invitesTo = (r: Rig, user: string): SentRequest[] => invites(r).filter((x) => x.request.uri.startsWith(`sip:${user}@`));

/** `from` (its phone or trunk on 127.0.0.1:`port`) dials `queue`; returns the call that joined it. */
export async function callQueue(r: Rig, from: string, port: number, opts: { queue?: string; txId?: string } = {}): Promise<Call> {
  const queue = opts.queue ?? "7000";
  r.manager.onRequest(opts.txId ?? "tx1", invite(from, queue, { port }), SRC(port));
  await settle();
  const call = [...r.manager.calls.values()].find((c) => c.dialed === queue);
  if (call === undefined) throw new Error(`no call to ${queue}`);
  return call;
}

/** The waiting caller presses the callback digit "1": it hears "thank you", its line not yet released. */
export async function pressCallbackDigit(r: Rig, call: Call): Promise<void> {
  r.media.emit({ type: "dtmf", id: call.a.endpoint!.id, digit: "1", durationMs: 100 });
  await settle();
}

/** The prompt playing on media endpoint `endpoint` ends. */
export async function promptEnds(r: Rig, endpoint: string): Promise<void> {
  r.media.emit({ type: "play-done", id: endpoint });
  await settle();
}

/** The latest INVITE to `user` is answered 200 with an SDP answer on RTP port `rtpPort`; returns that INVITE. */
export async function answerLatest(r: Rig, user: string, toTag: string, rtpPort = 42000): Promise<SentRequest> {
  const sent = invitesTo(r, user).at(-1)!;
  sent.handler.onResponse(reply(sent.request, 200, { toTag, sdp: answerSdp(rtpPort) }));
  await settle();
  return sent;
}

/** `agent` logs in (from the console) and answers the offer it is rung with; returns that INVITE. */
export async function agentLogsInAndAnswers(r: Rig, agent: string, toTag = "agent"): Promise<SentRequest> {
  r.manager.queues.agentAction(agent, "agent-login");
  await settle();
  return answerLatest(r, agent, toTag);
}

/**
 * After a caller pressed the callback digit: its "thank you" on media endpoint `endpoint` ends
 * (its line is released), `agent` logs in and answers (agents are rung first), then the citizen
 * `citizen` answers. Returns the INVITE to the citizen.
 */
export async function callbackAnswered(r: Rig, endpoint: string, agent: string, citizen: string): Promise<SentRequest> {
  await promptEnds(r, endpoint);
  await agentLogsInAndAnswers(r, agent);
  return answerLatest(r, citizen, "citizen", 42002);
}
