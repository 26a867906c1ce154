import { test } from "node:test";
import assert from "node:assert/strict";
import { seededRandom } from "../testing/seeded-random.js";
import { DeadlineQueue } from "./deadline-queue.js";

test("DeadlineQueue pops in deadline order, ties first-in first-out", () => {
  const q = new DeadlineQueue<string>();
  for (const [at, item] of [[30, "c"], [10, "a"], [20, "b1"], [20, "b2"], [5, "z"]] as const) q.push(at, item);
  const out: string[] = [];
  for (let e = q.pop(); e !== undefined; e = q.pop()) out.push(e.item);
  assert.deepEqual(out, ["z", "a", "b1", "b2", "c"]);
  assert.equal(q.size, 0);
});

test("DeadlineQueue agrees with a sort on 1000 random deadlines", () => {
  const random = seededRandom(42);
  const q = new DeadlineQueue<number>();
  const all: number[] = [];
  for (let i = 0; i < 1000; i++) {
    const at = Math.floor(random() * 100_000);
    all.push(at);
    q.push(at, i);
  }
  const popped: number[] = [];
  for (let e = q.pop(); e !== undefined; e = q.pop()) popped.push(e.at);
  assert.deepEqual(popped, [...all].sort((a, b) => a - b));
});
