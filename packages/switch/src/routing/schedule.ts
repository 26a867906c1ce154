// Office hours. The instant `now` is turned into local wall-clock time in the schedule's time
// zone with ECMAScript Intl (ECMA-402), once per evaluation, so daylight-saving changes need no
// special case: 08:30 is 08:30 local time on both sides of a change.
import { DAYS, type Day, type Schedule } from "./dial-plan.js";

/** Local calendar date and time of an instant in a time zone. */
export interface LocalTime {
  /** "YYYY-MM-DD" */
  date: string;
  day: Day;
  /** Minutes since local midnight, 0..1439. */
  minutes: number;
}

export interface ScheduleState {
  open: boolean;
  /** Why, for traces: "holiday 2026-10-01", "thu 2026-10-08 09:15 in 08:30-12:00". */
  reason: string;
}

// One formatter per time zone: constructing an Intl.DateTimeFormat is far slower than using it.
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone, hourCycle: "h23", weekday: "short", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit",
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** null when `timeZone` is a time zone Intl knows, otherwise why not. */
export function timezoneProblem(timeZone: string): string | null {
  try {
    formatterFor(timeZone);
    return null;
  } catch {
    return "unknown timezone";
  }
}

const DAY_BY_SHORT_NAME = new Map<string, Day>(DAYS.map((d) => [d.charAt(0).toUpperCase() + d.slice(1), d]));

export function localTime(timeZone: string, now: number): LocalTime {
  const parts: Record<string, string> = {};
  for (const p of formatterFor(timeZone).formatToParts(now)) parts[p.type] = p.value;
  // Some ICU versions print midnight as "24" even with h23.
  const hour = Number(parts.hour) % 24;
  const day = DAY_BY_SHORT_NAME.get(parts.weekday ?? "");
  if (day === undefined) throw new Error(`unexpected weekday '${parts.weekday}' from Intl`);
  return { date: `${parts.year}-${parts.month}-${parts.day}`, day, minutes: hour * 60 + Number(parts.minute) };
}

const TIME_RE = /^(?:([01]\d|2[0-3]):([0-5]\d)|24:00)$/;

/** Minutes since midnight of "HH:MM" (00:00 to 24:00), or null. */
export function parseTime(s: string): number | null {
  const m = TIME_RE.exec(s);
  if (!m) return null;
  return m[1] === undefined ? 24 * 60 : Number(m[1]) * 60 + Number(m[2]);
}

export function timeProblem(s: string): string | null {
  return parseTime(s) === null ? "must be a time HH:MM, 00:00 to 24:00" : null;
}

/** null when `s` is a calendar date "YYYY-MM-DD", otherwise why not. */
export function dateProblem(s: string): string | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) return "must be a date YYYY-MM-DD";
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const t = new Date(Date.UTC(y, mo - 1, d));
  return t.getUTCFullYear() === y && t.getUTCMonth() === mo - 1 && t.getUTCDate() === d ? null : "is not a calendar date";
}

function hhmm(minutes: number): string {
  return `${String(Math.floor(minutes / 60)).padStart(2, "0")}:${String(minutes % 60).padStart(2, "0")}`;
}

interface Interval {
  from: number;
  to: number;
}

/** A schedule prepared for evaluation: intervals per weekday, holiday and workday sets. */
export class CompiledSchedule {
  private readonly byDay = new Map<Day, Interval[]>();
  private readonly holidays: ReadonlySet<string>;
  private readonly workdays: ReadonlySet<string>;

  constructor(private readonly schedule: Schedule) {
    for (const hours of schedule.open) {
      const from = parseTime(hours.from);
      const to = parseTime(hours.to);
      if (from === null || to === null) throw new Error(`invalid hours ${hours.from}-${hours.to}`);
      for (const day of hours.days) {
        const list = this.byDay.get(day) ?? [];
        list.push({ from, to });
        this.byDay.set(day, list);
      }
    }
    for (const list of this.byDay.values()) list.sort((a, b) => a.from - b.from);
    this.holidays = new Set(schedule.holidays);
    this.workdays = new Set(schedule.workdays);
  }

  state(now: number): ScheduleState {
    const t = localTime(this.schedule.timezone, now);
    if (this.holidays.has(t.date)) return { open: false, reason: `holiday ${t.date}` };
    const workday = this.workdays.has(t.date);
    const intervals = this.byDay.get(workday ? "mon" : t.day) ?? [];
    const prefix = workday ? `workday ${t.date} (mon hours) ${hhmm(t.minutes)}` : `${t.day} ${t.date} ${hhmm(t.minutes)}`;
    const hit = intervals.find((i) => t.minutes >= i.from && t.minutes < i.to);
    return hit ? { open: true, reason: `${prefix} in ${hhmm(hit.from)}-${hhmm(hit.to)}` } : { open: false, reason: `${prefix} outside hours` };
  }
}

const compiled = new WeakMap<Schedule, CompiledSchedule>();

function compiledFor(schedule: Schedule): CompiledSchedule {
  let c = compiled.get(schedule);
  if (!c) {
    c = new CompiledSchedule(schedule);
    compiled.set(schedule, c);
  }
  return c;
}

/** Whether the schedule is open at `now` (ms since the epoch), and why. */
export function scheduleState(schedule: Schedule, now: number): ScheduleState {
  return compiledFor(schedule).state(now);
}

export function isOpen(schedule: Schedule, now: number): boolean {
  return compiledFor(schedule).state(now).open;
}
