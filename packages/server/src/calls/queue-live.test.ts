import { test } from "node:test";
import assert from "node:assert/strict";
import { createMemoryStore } from "@hotline/switch/testing";
import type { DialPlan } from "@hotline/switch";
import { hotlineTimeZone, journalSince } from "./queue-live.js";

test("journalSince: exactly the events at or after `since`, oldest first, for journals of any length (paging included)", async () => {
  for (const n of [0, 1, 2, 3, 7, 64, 1000, 2500]) {
    const store = createMemoryStore();
    // Several events share a timestamp (one burst), as a call's events do.
    const events = Array.from({ length: n }, (_, i) => ({ at: 1000 + Math.floor(i / 3) * 10, type: "queue.joined", callId: `c${i}`, data: { queue: "7000" } }));
    if (n > 0) await store.journal.append(events);
    for (const since of [0, 1000, 1005, 1010, 1000 + Math.floor(n / 6) * 10, 1000 + Math.floor(n / 3) * 10, 99_999]) {
      const got = await journalSince(store.journal, since);
      const want = events.filter((e) => e.at >= since).map((e) => e.callId);
      assert.deepEqual(got.map((e) => e.callId), want, `n=${n} since=${since}`);
    }
  }
});

test("hotlineTimeZone: the schedules' zone when they agree, otherwise none (the process's TZ)", () => {
  const plan = (zones: string[]) => ({ schedules: Object.fromEntries(zones.map((z, i) => [`s${i}`, { timezone: z, open: [], holidays: [], workdays: [] }])) }) as unknown as DialPlan;
  assert.equal(hotlineTimeZone(plan(["Asia/Shanghai", "Asia/Shanghai"])), "Asia/Shanghai");
  assert.equal(hotlineTimeZone(plan(["Asia/Shanghai", "Europe/Berlin"])), undefined);
  assert.equal(hotlineTimeZone(plan([])), undefined);
});
