import { HostInput, SupervisorBody } from '../../../common/schema/api.ts';
import type { HoldReason, OperatorAction } from '../../../common/schema/run.ts';

// Client-side checks of the forms, using the shared schemas so the UI refuses
// exactly what the server would, with the message next to the field.

export type FieldErrors<F extends string> = Partial<Record<F, string>>;

export interface HostFormFields {
  name: string;
  /** One MAC per line (commas and spaces also separate). */
  macs: string;
  profile: string;
  /** One disk serial / WWN per line. */
  disks: string;
  maxTempC: string;
  notes: string;
}

export type HostFormField = keyof HostFormFields;

export function splitList(text: string): string[] {
  return text
    .split(/[\s,;]+/)
    .map((s) => s.trim())
    .filter(Boolean);
}

export type HostFormResult = { ok: true; value: HostInput } | { ok: false; errors: FieldErrors<HostFormField> };

export function validateHostForm(fields: HostFormFields): HostFormResult {
  const errors: FieldErrors<HostFormField> = {};
  let maxTempC: number | null = null;
  if (fields.maxTempC.trim() !== '') {
    const n = Number(fields.maxTempC.trim());
    if (!Number.isFinite(n)) errors.maxTempC = 'enter a number of °C, or leave empty for the profile default';
    else maxTempC = n;
  }
  const candidate = {
    name: fields.name,
    macs: splitList(fields.macs),
    profile: fields.profile || 'standard',
    disks: splitList(fields.disks),
    maxTempC,
    notes: fields.notes,
  };
  const parsed = HostInput.safeParse(candidate);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const [field, index] = issue.path;
      const key = (typeof field === 'string' && field in fields ? field : 'name') as HostFormField;
      if (errors[key]) continue;
      const list = key === 'macs' ? candidate.macs : key === 'disks' ? candidate.disks : null;
      errors[key] = list && typeof index === 'number' ? `“${list[index]}”: ${issue.message}` : issue.message;
    }
  }
  if (Object.keys(errors).length > 0 || !parsed.success) return { ok: false, errors };
  return { ok: true, value: candidate as HostInput };
}

export interface ActionFields {
  reason: string;
  supervisor: string;
  secret: string;
}

export type ActionField = keyof ActionFields;

/** What an action needs: a supervisor's name and credential for a wipe-probe override, a reason for any override or abandon. */
export function actionRequirements(action: OperatorAction, holdReason: HoldReason | null): { reason: boolean; supervisor: boolean } {
  const supervisor = action === 'override' && holdReason === 'UnexpectedData';
  const reason = action === 'override' || action === 'abandon';
  return { reason, supervisor };
}

export function validateAction(action: OperatorAction, holdReason: HoldReason | null, fields: ActionFields): FieldErrors<ActionField> {
  const need = actionRequirements(action, holdReason);
  const errors: FieldErrors<ActionField> = {};
  if (need.reason && fields.reason.trim().length < 3) errors.reason = 'give a reason (it goes into the audit trail and the report)';
  if (need.supervisor) {
    if (!fields.supervisor.trim()) errors.supervisor = "enter the supervisor's name";
    if (!fields.secret) errors.secret = "enter the supervisor's credential";
  }
  if (fields.reason.length > 2000) errors.reason = 'keep the reason under 2000 characters';
  return errors;
}

export type SupervisorField = 'name' | 'secret' | 'confirm';

export function validateSupervisor(name: string, secret: string, confirm: string): FieldErrors<SupervisorField> {
  const errors: FieldErrors<SupervisorField> = {};
  const parsed = SupervisorBody.safeParse({ name, secret });
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const field = issue.path[0] === 'secret' ? 'secret' : 'name';
      errors[field] ??= issue.message;
    }
  }
  if (secret !== confirm) errors.confirm = 'the two entries differ';
  return errors;
}

/** Maps server-side issue paths (e.g. "macs.1", "bench.port") onto form fields. */
export function issuesToFields<F extends string>(issues: readonly { path: string; message: string }[], fieldNames: readonly F[]): { fields: FieldErrors<F>; rest: string[] } {
  const fields: FieldErrors<F> = {};
  const rest: string[] = [];
  for (const issue of issues) {
    const head = issue.path.split(/[.[/]/)[0] as F;
    if (fieldNames.includes(head) && !fields[head]) fields[head] = issue.message;
    else rest.push(issue.path ? `${issue.path}: ${issue.message}` : issue.message);
  }
  return { fields, rest };
}
