import type { StatePresentation } from '../logic/board.ts';

/** Big state label: icon + text + colour, never colour alone. */
export function StateBadge({ state, large = false }: { state: StatePresentation; large?: boolean }) {
  return (
    <span className={`badge tone-${state.tone}${large ? ' badge-large' : ''}`} data-testid="run-state">
      <span aria-hidden="true" className="badge-icon">
        {state.icon}
      </span>{' '}
      {state.text}
    </span>
  );
}
