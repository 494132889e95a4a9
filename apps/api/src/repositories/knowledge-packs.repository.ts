import { Inject, Injectable } from '@nestjs/common';
import type { KbPack } from '@warroom/contracts';
import { parsePackFiles, readPackFiles, type PackFile } from '@warroom/knowledge';
import { APP_CONFIG, type AppConfig } from '../config/app-config';

/** The knowledge packs on disk (KB_PACK_DIR): the same files the bot starts from. */
@Injectable()
export class KnowledgePacksRepository {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  /** Every `*.json` file under the directory, recursively, in a stable order, as text. */
  readFiles(): PackFile[] {
    return readPackFiles(this.config.kb.packDir);
  }

  /** Every pack parsed; a bad file fails with every problem (file, line, path, reason). */
  readAll(): KbPack[] {
    return parsePackFiles(this.readFiles());
  }
}
