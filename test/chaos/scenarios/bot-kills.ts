/**
 * Scenario 4: kill -9 of the bot under load (three times; once in the CI set), restarted on the same spool
 * directory: every question the bot answered before it died is stored exactly once.
 */
import { botFlushed, drained, ingestProgress, sleep } from '../checks';
import { BotLoad, ProducedLedger } from '../load';
import { between, ingestAtWork, settle, type Scenario } from '../scenario';
import { startSystem } from '../system';

const QUESTIONS_PER_SECOND = 60;

export const botKills: Scenario = {
  name: 'bot-kill-9',
  async run(context) {
    const kills = context.set === 'full' ? 3 : 1;
    const system = await startSystem({ api: false, bot: true, appLogs: context.appLogs, log: context.log });
    try {
      const failures: string[] = [];
      const ledger = new ProducedLedger();
      const bot = system.bot!;
      const load = new BotLoad(() => bot.url, ledger, context.runId);
      load.start(QUESTIONS_PER_SECOND);
      await ingestAtWork(system.admin, failures);
      for (let kill = 1; kill <= kills; kill += 1) {
        await sleep(between(context.rng, 2_000, 6_000));
        context.log(`kill -9 bot (${kill}/${kills}) after ${load.answered} answers`);
        await bot.crash();
        await bot.start();
      }
      await sleep(3_000);
      await load.stop();
      // Questions asked while the bot was down got no answer, as a real customer would not: not a loss.
      context.log(`${load.answered} questions answered, ${load.failures.length} unanswered while the bot was down`);
      if (!(await botFlushed(bot.url, 90_000))) failures.push('the bot still holds events 90 s after the load stopped');
      if (!(await drained(system.admin, 120_000))) failures.push(`ingest did not drain within 120 s (lag ${(await ingestProgress(system.admin)).lag})`);
      return await settle(system, ledger, failures, context);
    } finally {
      await system.stop();
    }
  },
};
