import type { SupervisorStore } from '../store/supervisors.ts';
import { UserError } from '../util/errors.ts';
import { hashCredential, needsRehash, scryptKdf, verifyAgainstNothing, verifyCredential, type Kdf } from './secrets.ts';

// Supervisor credentials: the one human secret that unlocks a destructive
// override (docs/architecture.md, "Security"). Operators hold the control
// token, so the token alone must not be enough to become a supervisor:
//  - changing a credential needs the old one; adding a supervisor needs an
//    existing supervisor's credential (only the very first may be added without
//    one); the local CLI, run as the app's user with the database at hand, may
//    do either — that is the recovery path;
//  - wrong guesses back off per name, known or not, and survive a restart;
//  - a name that is no supervisor costs the same scrypt work as a wrong
//    credential, and gets the same answer;
//  - every change and every refusal is written to supervisor_audit.

/** Wrong guesses allowed before a name is locked out. */
export const FREE_GUESSES = 3;
const FIRST_LOCK_MS = 30_000;
const MAX_LOCK_MS = 3600_000;

/** Who asks for a change, and with what proof. */
export type ChangeAuthority =
  | { kind: 'local-cli'; actor: string }
  | { kind: 'control'; actor: string; oldSecret?: string; approvedBy?: { name: string; secret: string } };

export class SupervisorCredentials {
  private readonly kdf: Kdf;
  private readonly now: () => number;

  constructor(
    private readonly rows: SupervisorStore,
    opts: { kdf?: Kdf; now?: () => number } = {},
  ) {
    this.kdf = opts.kdf ?? scryptKdf;
    this.now = opts.now ?? Date.now;
  }

  /**
   * Checks a credential; throws a UserError (403 wrong, 429 locked out) when
   * it does not hold. `asker` is who typed it (for the audit).
   */
  async check(name: string, secret: string, asker: string): Promise<void> {
    const guard = this.rows.guard(name);
    const now = this.now();
    if (guard.lockedUntil > now) {
      this.rows.addAudit(name, 'refused-locked', asker, `${guard.failures} wrong credential(s) so far`);
      throw this.lockedError(name, guard.lockedUntil - now);
    }
    const stored = this.rows.hashOf(name);
    const ok = stored ? await verifyCredential(secret, stored, this.kdf) : await verifyAgainstNothing(secret, this.kdf);
    if (!ok) {
      const failures = guard.failures + 1;
      const lockMs = failures >= FREE_GUESSES ? Math.min(MAX_LOCK_MS, FIRST_LOCK_MS * 2 ** (failures - FREE_GUESSES)) : 0;
      this.rows.setGuard(name, failures, lockMs ? now + lockMs : 0);
      this.rows.addAudit(name, 'wrong-credential', asker, lockMs ? `${failures} wrong in a row; locked for ${Math.ceil(lockMs / 1000)} s` : `${failures} wrong in a row`);
      // The same words whether or not the name exists.
      throw new UserError(`the credential for supervisor "${name}" is wrong (or no such supervisor)`, 'bad-credential', 403);
    }
    if (guard.failures > 0) this.rows.setGuard(name, 0, 0);
    if (stored && needsRehash(stored)) {
      // Made with older scrypt parameters: store it again at today's.
      this.rows.replaceHash(name, stored, await hashCredential(secret, undefined, this.kdf));
      this.rows.addAudit(name, 'hash-upgraded', 'orchestrator');
    }
  }

  /** Adds a supervisor, or changes one's credential, if `by` may. */
  async set(name: string, secret: string, by: ChangeAuthority): Promise<'added' | 'changed'> {
    if (secret.length < 8) throw new UserError('a supervisor credential needs at least 8 characters', 'weak-credential');
    const exists = this.rows.hashOf(name) !== null;
    if (by.kind === 'control') {
      if (exists) {
        if (!by.oldSecret) {
          this.rows.addAudit(name, 'change-refused', by.actor, 'no current credential given');
          throw new UserError(`changing the credential of supervisor "${name}" needs the current one (oldSecret), or \`vetting supervisor set\` on the bench workstation`, 'old-credential-required', 403);
        }
        await this.check(name, by.oldSecret, by.actor);
      } else if (this.rows.count() > 0) {
        if (!by.approvedBy) {
          this.rows.addAudit(name, 'add-refused', by.actor, 'no supervisor approved it');
          throw new UserError(`adding a supervisor needs an existing supervisor's approval (approvedBy: {name, secret}), or \`vetting supervisor add\` on the bench workstation`, 'approval-required', 403);
        }
        await this.check(by.approvedBy.name, by.approvedBy.secret, by.actor);
      }
    }
    const actor = by.kind === 'control' && by.approvedBy && !exists ? `${by.actor} (approved by supervisor:${by.approvedBy.name})` : by.actor;
    this.rows.saveHash(name, await hashCredential(secret, undefined, this.kdf));
    this.rows.setGuard(name, 0, 0);
    this.rows.addAudit(name, exists ? 'credential-changed' : 'added', actor, by.kind);
    return exists ? 'changed' : 'added';
  }

  private lockedError(name: string, leftMs: number): UserError {
    return new UserError(`too many wrong credentials for supervisor "${name}": try again in ${Math.ceil(leftMs / 1000)} s`, 'locked-out', 429);
  }
}
