/** Reading folders of the repository in tests. */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

/** Every file below dir, as paths relative to it (none if dir does not exist). */
export function listFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const path = join(d, name);
      if (statSync(path).isDirectory()) walk(path);
      else out.push(relative(dir, path));
    }
  };
  if (existsSync(dir)) walk(dir);
  return out;
}

/** Every file below dir: relative name -> content (the `files` of a Run or a check). */
export function readTree(dir: string): Record<string, string> {
  return Object.fromEntries(listFiles(dir).map((name) => [name, readFileSync(join(dir, name), 'utf8')]));
}
