import { useEffect, useRef, type FormEvent, type ReactNode } from 'react';

// A modal built on the native <dialog>: focus moves into it, Escape closes it,
// the page behind is inert. Every confirmation in the UI goes through it.

interface Props {
  title: string;
  open: boolean;
  onClose: () => void;
  onSubmit: () => void;
  submitLabel: string;
  submitTone?: 'danger' | 'primary';
  busy?: boolean;
  children: ReactNode;
  testId?: string;
}

export function Dialog({ title, open, onClose, onSubmit, submitLabel, submitTone = 'primary', busy = false, children, testId }: Props) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (open && !d.open) d.showModal();
    if (!open && d.open) d.close();
  }, [open]);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!busy) onSubmit();
  };

  return (
    <dialog ref={ref} className="dialog" aria-labelledby={`${testId ?? 'dialog'}-title`} onClose={onClose} onCancel={onClose} data-testid={testId}>
      {open ? (
        <form method="dialog" onSubmit={submit} noValidate>
          <h2 id={`${testId ?? 'dialog'}-title`}>{title}</h2>
          {children}
          <div className="dialog-buttons">
            <button type="button" onClick={onClose}>
              Cancel
            </button>
            <button type="submit" className={submitTone === 'danger' ? 'danger' : 'primary'} disabled={busy}>
              {busy ? 'Working…' : submitLabel}
            </button>
          </div>
        </form>
      ) : null}
    </dialog>
  );
}

/** A labelled input with its error beside it, wired for screen readers. */
export function Field({
  id,
  label,
  error,
  hint,
  children,
}: {
  id: string;
  label: string;
  error?: string | undefined;
  hint?: string;
  children: ReactNode;
}) {
  return (
    <div className={`field${error ? ' field-error' : ''}`}>
      <label htmlFor={id}>{label}</label>
      {children}
      {hint ? (
        <small className="muted" id={`${id}-hint`}>
          {hint}
        </small>
      ) : null}
      {error ? (
        <small className="field-message" id={`${id}-error`} role="alert">
          {error}
        </small>
      ) : null}
    </div>
  );
}
