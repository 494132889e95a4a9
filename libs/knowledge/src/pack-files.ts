import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { formatPackProblem, parseKbPackFile, type KbPack, type PackProblem } from '@warroom/contracts';

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
  if (!isDir) throw new Error(`pack directory ${dir} is not a directory`);
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

export class PackFilesError extends Error {
  constructor(readonly problems: PackProblem[]) {
    super(`Invalid pack files (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n${problems.map((p) => `  - ${formatPackProblem(p)}`).join('\n')}`);
    this.name = 'PackFilesError';
  }
}

/** Every pack parsed, or one error naming every problem of every file (file, line, path, reason). */
export function parsePackFiles(files: readonly PackFile[]): KbPack[] {
  const problems: PackProblem[] = [];
  const packs: KbPack[] = [];
  for (const { file, text } of files) {
    const parsed = parseKbPackFile(file, text);
    if (parsed.ok) packs.push(parsed.pack);
    else problems.push(...parsed.problems);
  }
  if (problems.length > 0) throw new PackFilesError(problems);
  return packs;
}
