import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Inject, Injectable } from '@nestjs/common';
import { formatPackProblem, parseKbPackFile, type KbPack } from '@warroom/contracts';
import { APP_CONFIG, type AppConfig } from '../config/app-config';

/** The knowledge packs on disk (KB_PACK_DIR): the same files the bot starts from. */
@Injectable()
export class KnowledgePacksRepository {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  /** Every `*.json` pack under the directory, recursively, in a stable order; a bad file fails with its problems. */
  readAll(): KbPack[] {
    const files: string[] = [];
    const walk = (at: string): void => {
      for (const entry of readdirSync(at, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
        const path = join(at, entry.name);
        if (entry.isDirectory()) walk(path);
        else if (entry.isFile() && entry.name.endsWith('.json')) files.push(path);
      }
    };
    walk(this.config.gaps.packDir);
    return files.map((file) => {
      const parsed = parseKbPackFile(file, readFileSync(file, 'utf8'));
      if (!parsed.ok) throw new Error(`KB_PACK_DIR: ${parsed.problems.map(formatPackProblem).join('; ')}`);
      return parsed.pack;
    });
  }
}
