// Child process for the CDR crash test: runs calls as call control will (active-call row at
// start, CDR at the end) as fast as it can, until the parent kill -9s it. It prints
// "a <n>" once call n's active row is committed and "c <n>" once its CDR is, each only after
// the write's promise resolved; the parent checks those claims after reopening the database.
import { sampleActiveCall, sampleCdr } from "@hotline/switch/testing";
import { openSqliteStore } from "../store/sqlite-store.js";

const dir = process.argv[2];
if (!dir) throw new Error("usage: crash-cdr-writer DIR");
const store = await openSqliteStore(dir);

async function call(n: number): Promise<void> {
  const callId = `crash-${n}`;
  await store.activeCalls.put(sampleActiveCall(callId, { startedAt: n }));
  process.stdout.write(`a ${n}\n`);
  await store.journal.append([{ at: n, type: "call.started", callId, data: { n } }]);
  await store.cdrs.write(sampleCdr(callId, n));
  process.stdout.write(`c ${n}\n`);
}

let next = 0;
function burst(): void {
  // Many calls in flight at once, so the kill lands while batches are being committed.
  for (let i = 0; i < 100 && next < 1_000_000; i++) void call(next++);
  setImmediate(burst);
}
process.stdout.write("ready\n");
burst();
