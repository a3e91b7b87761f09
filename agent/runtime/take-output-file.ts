import { readFile, rm } from 'node:fs/promises';

/**
 * The file a tool wrote its report to (fio --output, stress-ng --yaml), read and
 * then removed so scratch space does not fill over a long run; '' when the tool
 * wrote none.
 */
export async function takeOutputFile(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    return '';
  } finally {
    await rm(path, { force: true });
  }
}
