// History per component (docs/data-model.md): every part a stage's summary names by its
// part id (disk serial/WWN, DIMM serial, NIC MAC, GPU serial …) is remembered across runs,
// with the figures the stage's schema marks `measure: true` for each attempt that reported
// it. SMART compares a disk with its previous run from here. A part whose id only means
// something inside one host (a sensor or rail name, a PCI address) is kept per host
// (`scope`); parts with a global identity have scope ''. History starts with this version:
// runs stored before it are not read back into components.
export const sql = `
CREATE TABLE components (
  id INTEGER PRIMARY KEY,
  kind TEXT NOT NULL,
  scope TEXT NOT NULL DEFAULT '',
  key TEXT NOT NULL,
  ident TEXT NOT NULL,
  label TEXT,
  first_seen TEXT NOT NULL,
  last_seen TEXT NOT NULL,
  UNIQUE (kind, scope, key)
);
CREATE TABLE component_figures (
  id INTEGER PRIMARY KEY,
  component_id INTEGER NOT NULL REFERENCES components(id) ON DELETE CASCADE,
  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  stage_id INTEGER NOT NULL REFERENCES stages(id) ON DELETE CASCADE,
  stage TEXT NOT NULL,
  attempt INTEGER NOT NULL,
  host_id INTEGER NOT NULL REFERENCES hosts(id),
  outcome TEXT,
  label TEXT,
  figures_json TEXT NOT NULL,
  at TEXT NOT NULL,
  UNIQUE (component_id, stage_id)
);
CREATE INDEX component_figures_by_component ON component_figures(component_id, stage, run_id);
CREATE INDEX component_figures_by_run ON component_figures(run_id);
`;
