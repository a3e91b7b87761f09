import { describe, expect, it } from 'vitest';
import { renderToStaticMarkup } from 'react-dom/server';
import { DataTable, type Column } from './DataTable.tsx';

// Rendered to static HTML in node: the markup a screen reader (and the e2e test's role queries) gets.

interface Disk {
  serial: string;
  sizeGb: number;
  healthy: boolean;
}

const disks: Disk[] = [
  { serial: 'S1', sizeGb: 480, healthy: true },
  { serial: 'S2', sizeGb: 960, healthy: false },
];

const columns: Column<Disk>[] = [
  { header: 'Serial', rowHeader: true, cell: (d) => d.serial },
  { header: 'Size', className: 'nowrap', title: (d) => `${d.sizeGb * 1e9} bytes`, cell: (d) => `${d.sizeGb} GB` },
  { header: 'Health', className: (d) => (d.healthy ? 'good' : 'bad'), cell: (d, i) => `${i + 1}: ${d.healthy ? 'ok' : 'failing'}` },
  { header: 'Actions', srOnly: true, cell: (d) => <button type="button" aria-label={`Wipe ${d.serial}`}>Wipe</button> },
];

describe('<DataTable>', () => {
  it('draws column headers, a row header and cells with their classes and tooltips', () => {
    const html = renderToStaticMarkup(<DataTable className="panel" caption="Disks (2)" columns={columns} rows={disks} rowKey={(d) => d.serial} />);
    expect(html).toMatch(/^<table class="panel"><caption>Disks \(2\)<\/caption><thead><tr>/);
    expect(html).toContain(
      '<th scope="col">Serial</th><th scope="col">Size</th><th scope="col">Health</th><th scope="col"><span class="sr-only">Actions</span></th>',
    );
    expect(html).toContain(
      '<tr><th scope="row">S1</th><td class="nowrap" title="480000000000 bytes">480 GB</td><td class="good">1: ok</td><td><button type="button" aria-label="Wipe S1">Wipe</button></td></tr>',
    );
    expect(html).toContain('<td class="bad">2: failing</td>');
    expect(html.match(/<tr>/g)).toHaveLength(3);
  });

  it('leaves out the caption, and the class and tooltip where a column has none', () => {
    const html = renderToStaticMarkup(<DataTable columns={[{ header: 'Name', cell: (d: Disk) => d.serial }]} rows={disks} rowKey={(d) => d.serial} />);
    expect(html).toBe('<table><thead><tr><th scope="col">Name</th></tr></thead><tbody><tr><td>S1</td></tr><tr><td>S2</td></tr></tbody></table>');
  });

  it('shows the empty text instead of a table when there are no rows, and an empty table without one', () => {
    expect(renderToStaticMarkup(<DataTable columns={columns} rows={[]} rowKey={(d) => d.serial} empty={<p className="muted">No disks.</p>} />)).toBe(
      '<p class="muted">No disks.</p>',
    );
    expect(renderToStaticMarkup(<DataTable columns={columns} rows={[]} rowKey={(d) => d.serial} />)).toMatch(/<tbody><\/tbody><\/table>$/);
  });

  it('gives a row its class where rowClassName picks one', () => {
    const html = renderToStaticMarkup(
      <DataTable columns={[{ header: 'Name', cell: (d: Disk) => d.serial }]} rows={disks} rowKey={(d) => d.serial} rowClassName={(d) => (d.healthy ? undefined : 'row-gap')} />,
    );
    expect(html).toContain('<tbody><tr><td>S1</td></tr><tr class="row-gap"><td>S2</td></tr></tbody>');
  });
});
