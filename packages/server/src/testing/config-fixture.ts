// Configuration tests' set-up: a throwaway directory the YAML's relative paths resolve
// against (removed after the test file), and parseConfig of a YAML text as "hotline.yaml" in it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { DialPlan } from "@hotline/switch";
import { parseConfig, type LoadConfigResult } from "../config/load-config.js";
import type { HotlineConfig } from "../config/schema.js";
import { dialPlanOf } from "../config/to-dial-plan.js";

export interface ConfigFixture {
  /** The configuration file's directory (tests put the files the YAML names here). */
  readonly dir: string;
  /** parseConfig's result for `yaml` as `<dir>/hotline.yaml`. */
  parsed(yaml: string): LoadConfigResult;
  /** The accepted configuration; fails the test with the errors otherwise. */
  configOf(yaml: string): HotlineConfig;
  /** The dial plan of the accepted configuration; fails the test with the errors otherwise. */
  planOf(yaml: string): DialPlan;
  /** The errors of a configuration that must be rejected; fails the test if it is accepted. */
  errorsOf(yaml: string): string[];
}

/** Call at the top of a test file: the directory is made now and removed after the file's tests. */
export function configFixture(prefix: string): ConfigFixture {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  test.after(() => rmSync(dir, { recursive: true, force: true }));
  const parsed = (yaml: string): LoadConfigResult => parseConfig(yaml, "hotline.yaml", dir);
  const configOf = (yaml: string): HotlineConfig => {
    const result = parsed(yaml);
    if (!result.ok) assert.fail(result.errors.join("\n"));
    return result.config;
  };
  return {
    dir,
    parsed,
    configOf,
    planOf: (yaml) => dialPlanOf(configOf(yaml)),
    errorsOf: (yaml) => {
      const result = parsed(yaml);
      assert.equal(result.ok, false, "expected the configuration to be rejected");
      return result.ok ? [] : result.errors;
    },
  };
}
