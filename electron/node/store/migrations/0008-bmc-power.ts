// Migration 8: driving hosts' power through their BMCs (docs/operations.md,
// "Power through the BMC").
//
// hosts.bmc_* — where the BMC answers, which driver speaks to it, the user, the
//   Redfish certificate a person accepted (SHA-256 of its DER bytes) and the
//   boot mode to ask for; NULL driver = no BMC.
// hosts.power_* — the last power state read from the BMC, when, and why it
//   could not be read; shown on the board.
// bmc_credentials — the BMC password, sealed (scheme says by what: the desktop's
//   Electron safeStorage or the data directory's key file). In its own table so
//   that no query reading hosts ever carries it.
export const sql = `
ALTER TABLE hosts ADD COLUMN bmc_driver TEXT;
ALTER TABLE hosts ADD COLUMN bmc_address TEXT;
ALTER TABLE hosts ADD COLUMN bmc_user TEXT;
ALTER TABLE hosts ADD COLUMN bmc_cert_sha256 TEXT;
ALTER TABLE hosts ADD COLUMN bmc_boot_mode TEXT;
ALTER TABLE hosts ADD COLUMN power_state TEXT;
ALTER TABLE hosts ADD COLUMN power_checked_at TEXT;
ALTER TABLE hosts ADD COLUMN power_error TEXT;
CREATE TABLE bmc_credentials (
  host_id INTEGER PRIMARY KEY REFERENCES hosts(id) ON DELETE CASCADE,
  scheme TEXT NOT NULL,
  sealed BLOB NOT NULL,
  updated_at TEXT NOT NULL
);
`;
