// Test-only: the tests' own, hand-reviewed answer to "which names still mean the judged count"
// for the watched ATA attribute ids (from drivedb.h's comments and vendors' attribute sheets),
// shared by the drive-database test and the corpus test so both hold smartctl.ts to one list
// that is written apart from its table.

/**
 * The test's own, hand-reviewed answer (drivedb.h comments, vendors' attribute sheets): under
 * which names a watched id still holds the judged count. Any other name at these ids must not
 * fail a drive: it counts something else (factory bad blocks, GiB read, a counter the database
 * marks unreliable …).
 */
export const JUDGED_NAMES: Record<number, readonly string[]> = {
  5: ['Reallocated_Sector_Ct', 'Reallocate_NAND_Blk_Cnt', 'Reallocated_Block_Count', 'Retired_Block_Count', 'Runtime_Bad_Block', 'Later_Bad_Block', 'New_Bad_Blk_Cnt'],
  184: ['End-to-End_Error', 'End-to-End_Error_Count', 'IO_Error_Detect_Code_Ct', 'Error_Correction_Count'],
  197: ['Current_Pending_Sector', 'Pending_Sector_Count', 'Total_Pending_Sectors'],
  198: ['Offline_Uncorrectable', 'Uncorrectable_Sector_Ct', 'Offline_Scan_UNC_SectCt', 'Total_Offl_Uncorrectabl'],
};
