import { test } from "node:test";
import assert from "node:assert/strict";
import { SortedList } from "./sorted-list.js";
import { ServiceHeap } from "./service-heap.js";
import { QueueIndex, serviceOrder } from "./queue-index.js";
import type { CallRecord } from "./acd-records.js";
import { mulberry32 } from "./testing/prng.js";

interface Item {
  readonly k: number;
  readonly id: string;
}
const byK = (a: Item, b: Item): number => a.k - b.k || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
const ids = (l: SortedList<Item>): string[] => [...l].map((x) => x.id);

test("SortedList: insert keeps order, returns the index; remove by identity; a missing item is not removed", () => {
  const l = new SortedList<Item>(byK);
  const b = { k: 2, id: "b" };
  const a = { k: 1, id: "a" };
  const d = { k: 9, id: "d" };
  const c = { k: 2, id: "c" };
  assert.equal(l.insert(b), 0);
  assert.equal(l.insert(d), 1);
  assert.equal(l.insert(a), 0);
  assert.equal(l.insert(c), 2);
  assert.deepEqual(ids(l), ["a", "b", "c", "d"]);
  assert.equal(l.length, 4);
  assert.equal(l.lowerBound(c), 2);
  assert.equal(l.lowerBound({ k: 5, id: "x" }), 3);
  assert.equal(l.remove({ k: 2, id: "c" }), false, "an equal-looking copy is not the item");
  assert.equal(l.remove(c), true);
  assert.equal(l.remove(c), false);
  l.removeAt(0);
  assert.deepEqual(ids(l), ["b", "d"]);
  assert.equal(l.at(1), d);
  assert.equal(l.at(2), undefined);
});

test("SortedList: random inserts and removes match a sorted array", () => {
  const r = mulberry32(5);
  const l = new SortedList<Item>(byK);
  let model: Item[] = [];
  for (let n = 0; n < 3000; n++) {
    if (model.length > 0 && r.int(3) === 0) {
      const x = r.pick(model);
      assert.equal(l.remove(x), true);
      model = model.filter((y) => y !== x);
    } else {
      const x = { k: r.int(50), id: `i${n}` };
      l.insert(x);
      model.push(x);
    }
  }
  model.sort(byK);
  assert.deepEqual(ids(l), model.map((x) => x.id));
});

function call(id: string, priority: number, joinedAt: number, seq: number, queue = "q"): CallRecord {
  return { id, caller: id, queue, basePriority: priority, priority, joinedAt, seq, offer: undefined, retryAt: undefined, callback: undefined, tried: new Set() };
}

test("ServiceHeap: merges queues' waiting lists into one service order (priority, join time, arrival)", () => {
  const qs = ["q1", "q2", "q3"].map((id) => new QueueIndex({ id, strategy: "linear" }, []));
  const calls = [call("x", 0, 10, 0, "q1"), call("y", 0, 5, 1, "q2"), call("z", 2, 30, 2, "q3"), call("w", 0, 10, 3, "q2"), call("v", 1, 40, 4, "q1"), call("u", 0, 10, 5, "q3")];
  for (const c of calls) qs.find((q) => q.cfg.id === c.queue)!.waiting.insert(c);
  const heap = new ServiceHeap();
  for (const qi of qs) heap.push({ qi, pos: 0 });
  const got: string[] = [];
  for (let cur = heap.peek(); cur !== undefined; cur = heap.peek()) {
    got.push(cur.qi.waiting.at(cur.pos)!.id);
    if (++cur.pos >= cur.qi.waiting.length) heap.pop();
    else heap.headChanged();
  }
  assert.deepEqual(got, ["z", "v", "y", "x", "w", "u"]);
  assert.deepEqual(got, [...calls].sort(serviceOrder).map((c) => c.id));
  assert.equal(heap.size, 0);
});

test("QueueIndex: eligible members in membership order; oldest waiting skips offered calls; retries lapse from a call on", () => {
  const members = ["m0", "m1", "m2"].map((agent) => ({ agent, skillLevel: 1, order: 0, weight: 1 }));
  const qi = new QueueIndex({ id: "q", strategy: "skill-level", maxWaitMs: 1000, overflow: { kind: "voicemail", target: "vm" } }, members);
  qi.eligible.add(2);
  qi.eligible.add(0);
  assert.deepEqual(qi.eligibleMembers().map((m) => m.agent), ["m0", "m2"]);
  assert.equal(qi.overflows, true);
  const a = call("a", 0, 1, 0);
  const b = call("b", 0, 2, 1);
  const c = call("c", 1, 3, 2);
  for (const x of [a, b, c]) qi.calls.insert(x);
  a.offer = { agents: new Set(["m0"]), mode: "one", deadline: 99 };
  assert.equal(qi.oldestWaiting(), b);
  for (const x of [b, c]) {
    x.retryAt = 500;
    qi.retrying.add(x);
    qi.waiting.insert(x);
  }
  // Service order is c (priority 1), then b: lapsing from b on keeps c's retry.
  qi.lapseRetries(b);
  assert.deepEqual([...qi.retrying].map((x) => x.id), ["c"]);
  assert.equal(b.retryAt, undefined);
  qi.lapseRetries(undefined);
  assert.equal(qi.retrying.size, 0);
  assert.equal(c.retryAt, undefined);
});
