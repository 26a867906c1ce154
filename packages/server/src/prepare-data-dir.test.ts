import { test } from "node:test";
import assert from "node:assert/strict";
import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { prepareDataDir } from "./start.js";

test("the data folder is created 0700, and an existing group/world-readable one is tightened", () => {
  const base = mkdtempSync(join(tmpdir(), "hotline-datadir-"));
  try {
    const fresh = join(base, "a", "data");
    assert.deepEqual(prepareDataDir(fresh), { tightened: false });
    assert.equal(statSync(fresh).mode & 0o777, 0o700);
    const loose = join(base, "loose");
    mkdirSync(loose);
    chmodSync(loose, 0o755);
    assert.deepEqual(prepareDataDir(loose), { tightened: true });
    assert.equal(statSync(loose).mode & 0o777, 0o700);
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
});
