// Child process for the store's crash test: upserts bindings as fast as it can and prints each
// id only after its promise resolved, until the parent kill -9s it. Each printed id therefore
// claims "committed"; the parent checks the claim after reopening the database.
import { openSqliteStore } from "../store/sqlite-store.js";
import type { BindingRecord } from "@hotline/switch";

const dir = process.argv[2];
if (!dir) throw new Error("usage: crash-writer DIR");
const store = await openSqliteStore(dir);

function binding(id: number): BindingRecord {
  return {
    aor: `sip:crash-${id}@hotline.local`,
    contact: `sip:crash-${id}@127.0.0.1:5060`,
    callId: `c${id}`,
    cseq: 1,
    expiresAt: Date.now() + 3_600_000,
    q: null,
    source: { transport: "udp", address: "127.0.0.1", port: 5060 },
    userAgent: null,
    instanceId: null,
    regId: null,
    updatedAt: Date.now(),
  };
}

let next = 0;
function burst(): void {
  // Many writes in flight at once, so the kill lands while batches are being committed.
  for (let i = 0; i < 200 && next < 2_000_000; i++) {
    const id = next++;
    void store.bindings.upsert(binding(id)).then(() => process.stdout.write(`${id}\n`));
  }
  setImmediate(burst);
}
process.stdout.write("ready\n");
burst();
