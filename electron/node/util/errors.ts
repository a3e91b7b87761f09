/**
 * An error meant for the person or script that caused it: its message names the
 * problem, and `status`/`code` say how the API reports it.
 */
export class UserError extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly status: number = 400,
    readonly issues?: { path: string; message: string }[],
  ) {
    super(message);
    this.name = 'UserError';
  }
}

export const notFound = (what: string) => new UserError(`${what} not found`, 'not-found', 404);

/** Flattens zod issues into `path: message` pairs a person can act on. */
export function zodIssues(error: { issues: readonly { path: readonly PropertyKey[]; message: string }[] }): { path: string; message: string }[] {
  return error.issues.map((i) => ({ path: i.path.map(String).join('.') || '(root)', message: i.message }));
}

export function describeIssues(issues: { path: string; message: string }[]): string {
  return issues.map((i) => `${i.path}: ${i.message}`).join('; ');
}
