import type { KbState } from '@warroom/contracts';
import { ed25519PublicKeyFrom, KbRecordGate } from '@warroom/knowledge';
import type { BotConfig } from '../config/bot-config';

/**
 * The replica's check of `kb.patches` records: the keys from BOT_KB_PUBLIC_KEYS, else the ones the api's
 * state names (the channel the packs come through), and the cut-over the api's state has already seen (a
 * bot following the log from its beginning meets it on the log).
 */
export function replicaGate(config: Pick<BotConfig, 'kbPublicKeys'>, state: Pick<KbState, 'signedFrom' | 'publicKeys'>): KbRecordGate {
  const keys = config.kbPublicKeys.length > 0 ? config.kbPublicKeys : state.publicKeys.map((text) => ed25519PublicKeyFrom(text));
  return new KbRecordGate(keys, state.signedFrom);
}
