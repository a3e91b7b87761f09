import type { CSSProperties } from 'react';
import { STAGES, type StageName } from '../../../common/stages/index.ts';
import { STATUS_ICON, STATUS_TEXT, type PipelineCell } from '../logic/pipeline.ts';

/**
 * Shorter names for the board's narrow tiles; the full name stays in the label
 * and tooltip. A stage not named here (a new one) shows its own name.
 */
const SHORT: Partial<Record<StageName, string>> = {
  Inventory: 'Inv',
  SpecValidate: 'Spec',
  CPUStress: 'CPU',
  Reporting: 'Report',
};

/** The stages in order (common/stages), each with icon, text and colour; a running one shows its percent. */
export function Pipeline({ cells, compact = false }: { cells: readonly PipelineCell[]; compact?: boolean }) {
  return (
    <ol className={`pipeline${compact ? ' pipeline-compact' : ''}`} aria-label="Stages" style={{ '--stages': cells.length } as CSSProperties}>
      {cells.map((cell) => {
        const def = STAGES.find((s) => s.name === cell.stage);
        const percent = cell.status === 'running' && cell.percent !== null ? `${Math.round(cell.percent)}%` : null;
        const label = `${cell.stage}: ${STATUS_TEXT[cell.status]}${percent ? ` ${percent}` : ''}${cell.message ? ` — ${cell.message}` : ''}`;
        return (
          <li key={cell.stage} className={`stage stage-${cell.status}`} title={`${def?.title ?? cell.stage}\n${label}`} aria-label={label} data-stage={cell.stage} data-status={cell.status}>
            <span className="stage-icon" aria-hidden="true">
              {STATUS_ICON[cell.status]}
            </span>
            <span className="stage-name">{compact ? (SHORT[cell.stage] ?? cell.stage) : cell.stage}</span>
            <span className="stage-status">{percent ?? STATUS_TEXT[cell.status]}</span>
            {cell.status === 'running' && cell.percent !== null ? (
              <span className="stage-bar" aria-hidden="true">
                <span style={{ width: `${cell.percent}%` }} />
              </span>
            ) : null}
          </li>
        );
      })}
    </ol>
  );
}
