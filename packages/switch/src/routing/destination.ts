// Destinations (numbers.*, ringGroups.*.noAnswer, forwards, follow-me, inboundRoutes) and the
// characters a dialled number may contain.

export const TRUNK_NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
export const TRUNK_NAME_RULE = 'must be 1-64 characters of letters, digits, ".", "_", "-", starting with a letter or digit';

/** Where a configured destination sends a call. */
export type Destination =
  | { kind: "internal"; number: string }
  /** `trunk:NAME` (number null: the dialled number) or `trunk:NAME/NUMBER`. */
  | { kind: "trunk"; trunk: string; number: string | null };

// Extensions may be names ("alice"), so letters are allowed; ':', '/', '@', spaces never are,
// which keeps a dialled string from ever reading as "trunk:…".
const DIALABLE_RE = /^[A-Za-z0-9*#+._-]{1,64}$/;
const DIGITS_RE = /^\+?[0-9*#]{1,64}$/;

/** true for a string that can be a dialled or internal number. */
export function isDialable(s: string): boolean {
  return DIALABLE_RE.test(s);
}

/** Digits, "*", "#", optionally a leading "+": what goes out to a carrier. */
export function isPhoneNumber(s: string): boolean {
  return DIGITS_RE.test(s);
}

export const DESTINATION_RULE = "must be a number, trunk:NAME or trunk:NAME/NUMBER";

export function parseDestination(s: string): Destination | null {
  if (s.startsWith("trunk:")) {
    const rest = s.slice("trunk:".length);
    const slash = rest.indexOf("/");
    const trunk = slash < 0 ? rest : rest.slice(0, slash);
    const number = slash < 0 ? null : rest.slice(slash + 1);
    if (!TRUNK_NAME_RE.test(trunk)) return null;
    if (number !== null && !isPhoneNumber(number)) return null;
    return { kind: "trunk", trunk, number };
  }
  return isDialable(s) ? { kind: "internal", number: s } : null;
}

export function destinationProblem(s: string): string | null {
  return parseDestination(s) === null ? DESTINATION_RULE : null;
}
