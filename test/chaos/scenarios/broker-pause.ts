/**
 * Scenario 3: the broker frozen (SIGSTOP) for 30 s (10 s in the CI set) while customers talk to the bot:
 * every customer still gets an answer, and after SIGCONT every answered question reaches the store once.
 */
import { botFlushed, drained, ingestProgress, sleep } from '../checks';
import { BotLoad, ProducedLedger } from '../load';
import { ingestAtWork, settle, type Scenario } from '../scenario';
import { startSystem } from '../system';

const QUESTIONS_PER_SECOND = 40;

export const brokerPause: Scenario = {
  name: 'broker-pause',
  async run(context) {
    const pauseMs = context.set === 'full' ? 30_000 : 10_000;
    const system = await startSystem({ api: false, bot: true, appLogs: context.appLogs, log: context.log });
    try {
      const failures: string[] = [];
      const ledger = new ProducedLedger();
      const bot = system.bot!;
      const load = new BotLoad(() => bot.url, ledger, context.runId);
      load.start(QUESTIONS_PER_SECOND);
      await ingestAtWork(system.admin, failures);
      await sleep(2_000);
      context.log(`SIGSTOP broker for ${pauseMs / 1000} s`);
      const answeredBefore = load.answered;
      system.broker.pause();
      await sleep(pauseMs);
      system.broker.resume();
      const answeredDuring = load.answered - answeredBefore;
      context.log(`SIGCONT broker: ${answeredDuring} questions answered during the outage`);
      await sleep(5_000);
      await load.stop();
      if (load.failures.length > 0) {
        failures.push(`${load.failures.length} questions got no answer, e.g. ${load.failures.slice(0, 3).map((f) => f.what).join('; ')}`);
      }
      if (answeredDuring < (QUESTIONS_PER_SECOND * pauseMs) / 1000 / 2) failures.push(`only ${answeredDuring} questions answered during the broker outage`);
      if (!(await botFlushed(bot.url, 90_000))) failures.push('the bot still holds events 90 s after the broker came back');
      if (!(await drained(system.admin, 120_000))) failures.push(`ingest did not drain within 120 s (lag ${(await ingestProgress(system.admin)).lag})`);
      return await settle(system, ledger, failures, context);
    } finally {
      await system.stop();
    }
  },
};
