#!/usr/bin/env node
// The `hotline` command. Exit codes: 0 ok, 1 failure, 2 bad input (usage, configuration,
// import file), 3 not running (`status`).
import { Command, CommanderError } from "commander";
import { loadConfig } from "./config/index.js";
import { CliError, EXIT, loadConfigOrThrow, type DataOptions } from "./cli/context.js";
import { calls, registrations, status } from "./cli/query-commands.js";
import { agents, agentStatus, audit, queues } from "./cli/queue-commands.js";
import { userAdd, userImport, userList, userPasswd, userRemove } from "./cli/user-commands.js";
import { cdrList, missedDone, missedList, type CdrListOptions } from "./cli/record-commands.js";
import { createLogger, startServer, type RunningServer } from "./start.js";
import type { HotlineConfig } from "./config/index.js";

const CONFIG_HELP = "configuration file (default: $HOTLINE_CONFIG, else ./hotline.yaml if present, else built-in defaults)";

function withCommon(command: Command): Command {
  return command.option("-c, --config <file>", CONFIG_HELP).option("-d, --data <dir>", "data directory (overrides dataDir)");
}

async function start(options: DataOptions): Promise<void> {
  const config = loadConfigOrThrow(options);
  const log = createLogger(config);
  // Last-resort guards: a bug in a callback is logged, never a reason to drop every call.
  process.on("unhandledRejection", (err) => log.error({ err }, "unhandled rejection"));
  process.on("uncaughtException", (err) => log.error({ err }, "uncaught exception"));
  const server = await startServer(config, log);
  printBanner(config, server);
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    console.error(`${signal}: stopping`);
    server.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error);
        process.exit(EXIT.failure);
      },
    );
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}

/** What an operator needs right after start: where it listens and how to log in. */
function printBanner(config: HotlineConfig, server: RunningServer): void {
  const lines = [
    "",
    `hotline ${config.node.id} is running — SIP domain (realm) ${config.sip.domain}`,
    ...server.bound.map((b) => `  SIP ${b.transport.toUpperCase().padEnd(3)} ${b.address}:${b.port}`),
    `  status   http://${config.http.host}:${config.http.port}/api/status   metrics: /metrics`,
    `  console  http://${config.http.host}:${config.http.port}/ (the web console arrives with a later release)`,
  ];
  if (server.demo.length > 0) {
    lines.push(`  demo extensions (passwords generated on first start, kept in ${config.dataDir}/demo-credentials.txt):`);
    for (const d of server.demo) lines.push(`    ${d.username}  password ${d.password}`);
  }
  console.log(lines.join("\n") + "\n");
}

function checkConfig(file: string): void {
  const result = loadConfig(file);
  if (!result.ok) throw new CliError(result.errors.join("\n"), EXIT.badInput);
  console.log("ok");
}

function userCommands(program: Command): void {
  const user = program.command("user").description("manage SIP users (stored as HA1 digests)");
  withCommon(user.command("add <username>").description("add a user; a strong password is generated and shown once unless --password is given"))
    .option("-p, --password <password>", "password (at least 8 characters)")
    .option("-n, --display-name <name>", "display name")
    .action((username: string, options: DataOptions) => userAdd(username, options));
  withCommon(user.command("list").description("list users"))
    .option("--json", "print JSON")
    .action((options: DataOptions & { json?: boolean }) => userList(options));
  withCommon(user.command("remove <username>").description("remove a user and its stored registrations"))
    .action((username: string, options: DataOptions) => userRemove(username, options));
  withCommon(user.command("passwd <username>").description("set a new password (generated unless --password is given)"))
    .option("-p, --password <password>", "password (at least 8 characters)")
    .action((username: string, options: DataOptions & { password?: string }) => userPasswd(username, options));
  withCommon(user.command("import <file>").description("add or update users from CSV lines: username,password[,display name]"))
    .action((file: string, options: DataOptions) => userImport(file, options));
}

function recordCommands(program: Command): void {
  const cdr = program.command("cdr").description("call detail records (from the store)");
  withCommon(cdr.command("list").description("list CDRs, newest first; times are ISO 8601, UTC unless they carry an offset"))
    .option("--from <time>", "calls started at or after this time (2025-01-31 or 2025-01-31T14:05Z)")
    .option("--to <time>", "calls started before this time")
    .option("--party <number>", "calls where this extension or number called, was dialed, or answered")
    .option("--disposition <d>", "answered, busy, no-answer, cancelled, rejected, failed or interrupted")
    .option("--limit <n>", "at most this many (1-1000, default 100)")
    .option("--before <callId>", "the page after this call id (printed under a full page)")
    .option("--json", "print JSON")
    .action((options: CdrListOptions) => cdrList(options));
  const missed = program.command("missed").description("missed calls waiting for a callback");
  withCommon(missed.command("list").description("list missed calls not yet handled, newest first"))
    .option("--all", "include handled ones")
    .option("--limit <n>", "at most this many (1-1000, default 100)")
    .option("--json", "print JSON")
    .action((options: DataOptions & { all?: boolean; limit?: string; json?: boolean }) => missedList(options));
  withCommon(missed.command("done <id>").description("mark a missed call handled (called back or dismissed)"))
    .requiredOption("--by <name>", "who handled it")
    .action((id: string, options: DataOptions & { by: string }) => missedDone(id, options));
}

function queueCommands(program: Command): void {
  withCommon(program.command("queues").description("one line per queue: waiting, oldest wait, agents available/logged in, answered, abandoned, SL, ASA, AHT (today)"))
    .option("--json", "print JSON")
    .action((options: DataOptions & { json?: boolean }) => queues(options));
  withCommon(program.command("agents").description("queue agents: status, state and since when, phone registered, calls and talk time today"))
    .option("--json", "print JSON")
    .action((options: DataOptions & { json?: boolean }) => agents(options));
  withCommon(program.command("agent <ext> <action> [reason]").description("set an agent's status: available, break [reason], logout or login"))
    .action((ext: string, action: string, reason: string | undefined, options: DataOptions) => agentStatus(ext, action, reason, options));
  withCommon(program.command("audit").description("the supervisors' audit log (supervisor.action journal entries), oldest of the newest first"))
    .option("--since <time>", "entries at or after this time (2025-01-31 or 2025-01-31T14:05Z)")
    .option("--limit <n>", "at most this many, the newest (1-1000, default 50)")
    .option("--json", "print JSON")
    .action((options: DataOptions & { since?: string; limit?: string; json?: boolean }) => audit(options));
}

export function buildProgram(): Command {
  const program = new Command("hotline").description("hotline call-center switch").exitOverride();
  withCommon(program.command("start").description("run the switch")).action((options: DataOptions) => start(options));
  program
    .command("check-config <file>")
    .description('validate a configuration file: prints "ok" or the errors (exit 2)')
    .action((file: string) => checkConfig(file));
  userCommands(program);
  recordCommands(program);
  queueCommands(program);
  withCommon(program.command("registrations").description("list current registrations (from the running switch, else from the store)"))
    .option("--json", "print JSON")
    .action((options: DataOptions & { json?: boolean }) => registrations(options));
  withCommon(program.command("calls").description("list the calls in progress with each leg's RTP packets, loss and jitter"))
    .option("--json", "print JSON")
    .action((options: DataOptions & { json?: boolean }) => calls(options));
  withCommon(program.command("status").description('show the running switch\'s status, or "not running" (exit 3)'))
    .option("--json", "print JSON")
    .action((options: DataOptions & { json?: boolean }) => status(options));
  return program;
}

export async function main(argv: readonly string[]): Promise<void> {
  try {
    await buildProgram().parseAsync([...argv]);
  } catch (error) {
    if (error instanceof CommanderError) {
      // Commander already printed usage errors; by convention they exit 2, help/version 0.
      process.exitCode = error.exitCode === 1 ? EXIT.badInput : error.exitCode;
    } else if (error instanceof CliError) {
      console.error(error.message);
      process.exitCode = error.exitCode;
    } else {
      console.error(`error: ${error instanceof Error ? error.message : String(error)}`);
      process.exitCode = EXIT.failure;
    }
  }
}

await main(process.argv);
