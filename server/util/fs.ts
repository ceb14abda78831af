/** Small file-system helpers shared across the server. */
import { stat } from 'node:fs/promises';

/** Whether something exists at path (following symlinks; only for paths the server owns). */
export async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}
