// String rules shared by the schema files and the CLI (usernames, passwords, control characters).

/** C0 controls and DEL: nothing a phone keypad or a display can show. */
export function hasControlChars(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return true;
  }
  return false;
}

// Letters, digits and a few URI-safe marks: the name goes into SIP URIs, digest quoted
// strings and "user:realm:password" (so never a ':'), and into the CSV import format.
const USERNAME_RE = /^[A-Za-z0-9+][A-Za-z0-9._+-]{0,63}$/;
export const USERNAME_RULE = 'must be 1-64 characters of letters, digits, ".", "_", "-", "+", starting with a letter, digit or "+"';
export const PASSWORD_MIN_LENGTH = 8;

/** null when `name` is a valid username, otherwise why not. */
export function usernameProblem(name: string): string | null {
  return USERNAME_RE.test(name) ? null : USERNAME_RULE;
}

/** null when `password` is acceptable, otherwise why not. Short passwords fall to svcrack in minutes. */
export function passwordProblem(password: string): string | null {
  if (password.length < PASSWORD_MIN_LENGTH) return `must be at least ${PASSWORD_MIN_LENGTH} characters`;
  if (password.length > 128) return "must be at most 128 characters";
  if (hasControlChars(password)) return "must not contain control characters";
  return null;
}
