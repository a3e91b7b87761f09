import type { Key, ReactNode } from 'react';

/** One column of a {@link DataTable}: its header, and how a row fills its cell. */
export interface Column<Row> {
  /** The header's text (or node). */
  header: ReactNode;
  /** The header is for screen readers only (an actions column reads "Actions" but shows nothing). */
  srOnly?: boolean;
  /** What the cell shows for a row. */
  cell: (row: Row, index: number) => ReactNode;
  /** The cell's class: the same for every row, or chosen per row. */
  className?: string | ((row: Row) => string | undefined);
  /** The cell's tooltip, e.g. the full value behind a shortened one. */
  title?: (row: Row) => string | undefined;
  /** This cell names its row: drawn as `<th scope="row">` instead of `<td>`. */
  rowHeader?: boolean;
}

interface DataTableProps<Row> {
  columns: readonly Column<Row>[];
  rows: readonly Row[];
  rowKey: (row: Row, index: number) => Key;
  className?: string;
  caption?: ReactNode;
  /** Shown instead of the table when there are no rows; without it an empty table is drawn. */
  empty?: ReactNode;
  /** A row's class, for rows that stand out as a whole (a required part not tested). */
  rowClassName?: (row: Row) => string | undefined;
}

/**
 * A plain data table with column headers (`scope="col"`), one row per item.
 * The views describe their columns as data so every table carries the same
 * header semantics; what a cell shows stays with the view.
 */
export function DataTable<Row>({ columns, rows, rowKey, className, caption, empty, rowClassName }: DataTableProps<Row>) {
  if (rows.length === 0 && empty !== undefined) return <>{empty}</>;
  return (
    <table className={className}>
      {caption !== undefined ? <caption>{caption}</caption> : null}
      <thead>
        <tr>
          {columns.map((c, i) => (
            <th key={i} scope="col">
              {c.srOnly ? <span className="sr-only">{c.header}</span> : c.header}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {rows.map((row, r) => (
          <tr key={rowKey(row, r)} className={rowClassName?.(row)}>
            {columns.map((c, i) => {
              const Cell = c.rowHeader ? 'th' : 'td';
              return (
                <Cell key={i} scope={c.rowHeader ? 'row' : undefined} className={typeof c.className === 'function' ? c.className(row) : c.className} title={c.title?.(row)}>
                  {c.cell(row, r)}
                </Cell>
              );
            })}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
