// What every CLI command needs: the configuration (or its errors, exit 2), the data
// directory, and an error type that carries an exit code.
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { loadConfig, type HotlineConfig } from "../config/index.js";
import { openSqliteStore, type SqliteStore } from "../store/sqlite-store.js";

/** Exit codes: 1 runtime failure, 2 bad input (usage, configuration, import file), 3 not running. */
export const EXIT = { failure: 1, badInput: 2, notRunning: 3 } as const;

export class CliError extends Error {
  override name = "CliError";
  constructor(
    message: string,
    readonly exitCode: number = EXIT.failure,
  ) {
    super(message);
  }
}

export interface ConfigOptions {
  config?: string;
}

export interface DataOptions extends ConfigOptions {
  data?: string;
}

/**
 * --config, else $HOTLINE_CONFIG, else ./hotline.yaml when present, else the embedded
 * defaults. Looking for ./hotline.yaml matters for `user add`: a user added with another
 * realm than the running server's could never log in.
 */
export function configPath(options: ConfigOptions): string | null {
  if (options.config) return options.config;
  const fromEnv = process.env["HOTLINE_CONFIG"];
  if (fromEnv) return fromEnv;
  return existsSync("hotline.yaml") ? "hotline.yaml" : null;
}

export function loadConfigOrThrow(options: DataOptions): HotlineConfig {
  const result = loadConfig(configPath(options));
  if (!result.ok) throw new CliError(result.errors.join("\n"), EXIT.badInput);
  const config = result.config;
  return options.data ? { ...config, dataDir: resolve(options.data) } : config;
}

/**
 * Opens the configured data directory's store for one command and closes it afterwards
 * (committing its writes). Works whether or not the switch is running: SQLite serializes the
 * writers, and busy_timeout makes the CLI wait for the server's lock instead of failing.
 */
export async function withStore<T>(options: DataOptions, body: (store: SqliteStore, config: HotlineConfig) => Promise<T>): Promise<T> {
  const config = loadConfigOrThrow(options);
  const store = await openSqliteStore(config.dataDir);
  try {
    return await body(store, config);
  } finally {
    await store.close();
  }
}
