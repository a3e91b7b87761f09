import { useState, type ReactNode } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { RunDetailView } from '../../../../common/schema/api.ts';
import type { OperatorAction } from '../../../../common/schema/run.ts';
import { ApiRequestError } from '../../api/client.ts';
import { api, links } from '../../api/endpoints.ts';
import { keys } from '../../api/keys.ts';
import { Dialog, Field } from '../../components/Dialog.tsx';
import { ErrorNote } from '../../components/ErrorNote.tsx';
import { ACTION_LABEL, actionsFor, describeAction } from '../../logic/actions.ts';
import { actionRequirements, validateAction, type ActionField, type ActionFields, type FieldErrors } from '../../logic/forms.ts';
import { bridge, printReport, saveReportPdf } from '../../platform/bridge.ts';

// Operator actions. Each goes through a dialog that says exactly what will
// happen; the server has the last word and its refusal is shown in the dialog.

function ActionDialog({ run, action, onClose }: { run: RunDetailView; action: OperatorAction; onClose: () => void }) {
  const client = useQueryClient();
  const [fields, setFields] = useState<ActionFields>({ reason: '', supervisor: '', secret: '' });
  const [errors, setErrors] = useState<FieldErrors<ActionField>>({});
  const need = actionRequirements(action, run.holdReason);
  const wipe = need.supervisor;
  // Abandon offers to power the host off when the bench drives its power.
  const host = useQuery({ queryKey: keys.host(run.host), queryFn: () => api.host(run.host), enabled: action === 'abandon' });
  const offerPowerOff = action === 'abandon' && Boolean(host.data?.bmc);
  const [powerOff, setPowerOff] = useState(false);

  const mutation = useMutation({
    mutationFn: () =>
      api.runAction(run.id, {
        action,
        reason: fields.reason.trim() || undefined,
        supervisor: wipe ? fields.supervisor.trim() : undefined,
        secret: wipe ? fields.secret : undefined,
        ...(offerPowerOff && powerOff ? { powerOff: true } : {}),
      }),
    onSuccess: (detail) => {
      client.setQueryData(keys.run(run.id), detail);
      void client.invalidateQueries({ queryKey: keys.board });
      void client.invalidateQueries({ queryKey: keys.runsAll });
      onClose();
    },
    onError: (err) => {
      // A wrong credential must be typed again, never resubmitted by accident.
      if (err instanceof ApiRequestError && err.code === 'bad-credential') setFields((f) => ({ ...f, secret: '' }));
    },
  });

  const set = (k: ActionField) => (e: { target: { value: string } }) => setFields((f) => ({ ...f, [k]: e.target.value }));
  const submit = () => {
    const found = validateAction(action, run.holdReason, fields);
    setErrors(found);
    if (Object.keys(found).length > 0) return;
    mutation.mutate();
  };

  const text = describeAction(run, action);
  const body: ReactNode = wipe ? (
    <>
      <p className="danger-text">{text.effect}</p>
      <ul className="findings" data-testid="unexpected-data">
        {run.unexpectedData.length === 0 ? <li>(the server listed no disks)</li> : null}
        {run.unexpectedData.map((d) => (
          <li key={d.disk}>
            <strong>{d.disk}</strong> <span className="mono">({d.device})</span>
            <ul>
              {d.found.map((f, i) => (
                <li key={i}>{f}</li>
              ))}
            </ul>
          </li>
        ))}
      </ul>
      <p>Only a supervisor may approve. Their name, the reason and the time go into the audit trail and onto the report.</p>
    </>
  ) : (
    <p>{text.effect}</p>
  );

  return (
    <Dialog
      title={text.title}
      open
      onClose={onClose}
      onSubmit={submit}
      submitLabel={text.submitLabel}
      submitTone={action === 'retry' ? 'primary' : 'danger'}
      busy={mutation.isPending}
      testId={`action-${action}`}
    >
      {body}
      {wipe ? (
        <>
          {/* The audit trail names who acted from the session (operator) or the credential (supervisor), not from a typed name. */}
          <Field id="act-supervisor" label="Supervisor name" error={errors.supervisor}>
            <input id="act-supervisor" value={fields.supervisor} onChange={set('supervisor')} autoComplete="username" aria-invalid={Boolean(errors.supervisor)} autoFocus />
          </Field>
          <Field id="act-secret" label="Supervisor credential" error={errors.secret}>
            <input id="act-secret" type="password" value={fields.secret} onChange={set('secret')} autoComplete="current-password" aria-invalid={Boolean(errors.secret)} />
          </Field>
        </>
      ) : null}
      {need.reason || action === 'retry' || action === 'release' ? (
        <Field id="act-reason" label={need.reason ? 'Reason (required)' : 'Note (optional)'} error={errors.reason}>
          <textarea id="act-reason" rows={3} value={fields.reason} onChange={set('reason')} aria-invalid={Boolean(errors.reason)} />
        </Field>
      ) : null}
      {offerPowerOff ? (
        <label className="check" data-testid="abandon-power-off">
          <input type="checkbox" checked={powerOff} onChange={(e) => setPowerOff(e.target.checked)} /> Also power {run.host} off through its BMC
        </label>
      ) : null}
      <ErrorNote error={mutation.error} what="Refused" />
    </Dialog>
  );
}

export function ActionsPanel({ run }: { run: RunDetailView }) {
  const client = useQueryClient();
  const [action, setAction] = useState<OperatorAction | null>(null);
  const [printError, setPrintError] = useState<unknown>(null);
  const offered = actionsFor(run);
  const hasReport = run.artifacts.some((a) => a.name === 'report.html') || ['Completed', 'Released'].includes(run.state);
  const regenerate = useMutation({
    mutationFn: () => api.regenerateReport(run.id),
    onSuccess: () => void client.invalidateQueries({ queryKey: keys.run(run.id) }),
  });
  const print = async (pdf: boolean) => {
    setPrintError(null);
    try {
      if (pdf) await saveReportPdf(links.report(run.id));
      else await printReport(links.report(run.id));
    } catch (err) {
      setPrintError(err);
    }
  };
  return (
    <section className="panel actions" aria-labelledby="actions-head">
      <h2 id="actions-head">Actions</h2>
      <div className="row">
        {offered.map((a) => (
          <button
            key={a}
            type="button"
            className={a === 'retry' ? 'primary' : a === 'override' && run.holdReason === 'UnexpectedData' ? 'danger' : undefined}
            onClick={() => setAction(a)}
          >
            {a === 'override' && run.holdReason === 'UnexpectedData' ? 'Supervisor override…' : `${ACTION_LABEL[a]}…`}
          </button>
        ))}
        {offered.length === 0 ? <span className="muted">No actions in state {run.state}.</span> : null}
      </div>
      <div className="row">
        {hasReport ? (
          <a className="button" href={links.report(run.id)} target="_blank" rel="noopener">
            Open report
          </a>
        ) : (
          <button type="button" disabled>
            Open report
          </button>
        )}
        <button type="button" onClick={() => void print(false)} disabled={!hasReport}>
          Print report
        </button>
        {bridge() ? (
          <button type="button" onClick={() => void print(true)} disabled={!hasReport}>
            Save PDF
          </button>
        ) : null}
        <button type="button" onClick={() => regenerate.mutate()} disabled={regenerate.isPending || !['Completed', 'Released', 'Abandoned', 'FailedHolding'].includes(run.state)}>
          {regenerate.isPending ? 'Regenerating…' : 'Regenerate report'}
        </button>
      </div>
      {!hasReport ? <p className="muted small">The report is written when the run completes.</p> : null}
      <ErrorNote error={printError} what="Print" />
      <ErrorNote error={regenerate.error} what="Report not regenerated" />
      {action ? <ActionDialog run={run} action={action} onClose={() => setAction(null)} /> : null}
    </section>
  );
}
