/**
 * Scenario 5: the api restarted under load while walls watch: each wall reconnects by itself (the wall's
 * own backoff rule) and receives fresh figures again, and ingest, which does not depend on the api, loses
 * nothing meanwhile. Then the second half (launcher-kills.ts): parts killed under npm start's launcher.
 */
import { drained, eventually, ingestProgress, sleep } from '../checks';
import { oneTimePasswordCatcher, setUpUsers } from '../../support/http';
import { BotLoad, KafkaLoad, ProducedLedger } from '../load';
import { between, combine, ingestAtWork, settle, type Scenario, type ScenarioContext } from '../scenario';
import type { ScenarioResult } from '../report';
import { launcherKills } from './launcher-kills';
import { BOT_SHOPS, KIOSK_TOKEN, startSystem } from '../system';
import { TrainerDesk } from '../trainer-desk';
import { WallClient } from '../wall-client';

const EVENTS_PER_SECOND = 100;
const WALLS = 3;
/** The wall's backoff is capped at 3 s (live-socket.ts): fresh data within this long of the api being back. */
const RECONNECTED_WITHIN_MS = 10_000;
const FRESH_MS = 3_000;
/** Nothing in the demo packs is about digital-yuan red packets: the bot cannot answer these, so they become a gap. */
const UNANSWERABLE = ['数字人民币红包能用来付款吗', '数字人民币红包可以用吗', '付款能用数字人民币红包吗'];
const TRAINER = { login: 'chaos-trainer', displayName: '陈训练', role: 'trainer', grade: 'junior' } as const;
/** setUpUsers makes each user replace the admin-given password with this one. */
const TRAINER_PASSWORD = 'correct horse battery staple (own)';

export const restarts: Scenario = {
  name: 'restarts',
  async run(context) {
    const apiHalf = await apiRestarts(context);
    context.log('second half: kill -9 of parts under npm start\'s launcher');
    return combine(apiHalf, await launcherKills(context));
  },
};

async function apiRestarts(context: ScenarioContext): Promise<Omit<ScenarioResult, 'name' | 'durationMs'>> {
  const restarts = context.set === 'full' ? 3 : 1;
  const admin = oneTimePasswordCatcher();
  const system = await startSystem({ api: true, bot: true, appLogs: context.appLogs, log: context.log, onApiLine: admin.onLog });
  const api = system.api!;
  const walls = Array.from({ length: WALLS }, () => new WallClient(api.url, KIOSK_TOKEN));
  let desk: TrainerDesk | null = null;
  try {
    const failures: string[] = [];
    const ledger = new ProducedLedger();
    await setUpUsers(api.url, admin.password(), [TRAINER]);
    const customers = new BotLoad(() => system.bot!.url, ledger, context.runId);
    for (const [n, text] of UNANSWERABLE.entries()) {
      await customers.ask(JSON.stringify({ shopId: BOT_SHOPS[0], sessionId: `chaos-gap-${n}`, customerId: `chaos-gap-${n}`, text }));
    }
    context.log('a trainer signs in and drafts examples for the new gap');
    desk = await TrainerDesk.open(api.url, TRAINER.login, TRAINER_PASSWORD, '数字人民币');
    const load = new KafkaLoad((messages) => system.produce(messages), ledger, { seed: between(context.rng, 1, 1e9), runId: context.runId });
    load.start(EVENTS_PER_SECOND);
    for (const wall of walls) wall.open();
    if (!(await eventually(() => Promise.resolve(walls.every((wall) => wall.samples.length > 0)), 60_000))) {
      failures.push('not every wall got a snapshot within 60 s of the start');
    }
    await ingestAtWork(system.admin, failures);
    for (let restart = 1; restart <= restarts; restart += 1) {
      await sleep(between(context.rng, 2_000, 5_000));
      context.log(`restarting the api (${restart}/${restarts})`);
      const stoppedAt = Date.now();
      await api.stop();
      await api.start();
      const upAt = Date.now();
      context.log(`api back after ${upAt - stoppedAt} ms`);
      const fresh = await eventually(
        () =>
          Promise.resolve(
            walls.every((wall) =>
              wall.samples.some((sample) => sample.receivedAtMs > upAt && sample.receivedAtMs - sample.asOfMs < FRESH_MS),
            ),
          ),
        RECONNECTED_WITHIN_MS,
        100,
      );
      if (!fresh) {
        const stuck = walls.filter((wall) => !wall.samples.some((sample) => sample.receivedAtMs > upAt)).length;
        failures.push(`restart ${restart}: ${stuck} of ${WALLS} walls had no fresh figures ${RECONNECTED_WITHIN_MS} ms after the api was back`);
      } else {
        const reconnectedAt = Math.max(...walls.map((wall) => wall.samples.find((sample) => sample.receivedAtMs > upAt)?.receivedAtMs ?? upAt));
        context.log(`every wall fresh again ${reconnectedAt - upAt} ms after the api was back`);
      }
      if (restart === 1) {
        const lostDraft = await desk.survivedRestart();
        failures.push(...lostDraft);
        if (lostDraft.length === 0) context.log("the trainer's desk reconnected with its draft intact, on screen and after a reload");
      }
    }
    await load.stop();
    failures.push(...load.sendErrors.map((error) => `produce failed: ${error}`));
    if (!(await drained(system.admin, 60_000))) failures.push(`ingest did not drain within 60 s (lag ${(await ingestProgress(system.admin)).lag})`);
    return await settle(system, ledger, failures, context);
  } finally {
    for (const wall of walls) wall.close();
    await desk?.close();
    await system.stop();
  }
}
