import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

export interface PackFile {
  /** Path as given to the reader (relative to the working directory when the directory was). */
  file: string;
  text: string;
}

/** Every `*.json` file under `dir`, recursively, in a stable (sorted) order. */
export function readPackFiles(dir: string): PackFile[] {
  let isDir = false;
  try {
    isDir = statSync(dir).isDirectory();
  } catch {
    isDir = false;
  }
  if (!isDir) throw new Error(`BOT_PACK_DIR ${dir} is not a directory`);
  const files: string[] = [];
  const walk = (at: string): void => {
    for (const entry of readdirSync(at, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const path = join(at, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile() && entry.name.endsWith('.json')) files.push(path);
    }
  };
  walk(dir);
  return files.map((path) => ({ file: relative(process.cwd(), path) || path, text: readFileSync(path, 'utf8') }));
}
