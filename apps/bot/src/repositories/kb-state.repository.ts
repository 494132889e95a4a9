import { kbStateSchema, type KbState } from '@warroom/contracts';
import { readPackFiles } from '@warroom/knowledge';
import type { BotConfig } from '../config/bot-config';

/** How long a starting bot waits for the api that holds the knowledge base (it may be starting too). */
const KB_API_WAIT_MS = 60_000;

/**
 * Where the knowledge base comes from: the api's `GET /api/kb/state` (its packs and every `kb.patches`
 * proposal so far, service token), or without BOT_KB_API_URL the pack directory and an empty log. Read
 * at start, and again when `kb.patches` no longer holds the offsets the replica needs (retention).
 */
export class KbStateRepository {
  constructor(private readonly config: Pick<BotConfig, 'kbApi' | 'packDir'>) {}

  /** Whether the state comes from the api (which keeps every proposal), so a cut log can be filled. */
  get fromApi(): boolean {
    return this.config.kbApi !== null;
  }

  /** The packs and the patch log so far; retries an api that does not answer yet for up to a minute. */
  async load(): Promise<KbState> {
    const api = this.config.kbApi;
    if (!api) return { packFiles: readPackFiles(this.config.packDir), proposals: [], nextOffset: 0, signedFrom: null, publicKeys: [] };
    const url = new URL('/api/kb/state', api.url);
    const deadline = Date.now() + KB_API_WAIT_MS;
    for (;;) {
      try {
        const response = await fetch(url, { headers: { authorization: `Bearer ${api.token}` }, signal: AbortSignal.timeout(10_000) });
        if (!response.ok) throw new Error(`${url.href} answered ${response.status}: ${await response.text()}`);
        return kbStateSchema.parse(await response.json());
      } catch (error) {
        if (Date.now() > deadline) throw new Error(`could not load the knowledge base from ${url.href}: ${(error as Error).message}`, { cause: error });
        await new Promise((resolve) => setTimeout(resolve, 1_000));
      }
    }
  }
}
