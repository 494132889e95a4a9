/**
 * Scenario 6: 10,000 hostile messages (2,000 in the CI set) mixed into normal traffic, nine in ten produced
 * straight to chat.events and one in ten sent to the bot: each invalid one (by the contract's own verdict)
 * must be in chat.events.dlq with its reason, each valid one stored once, the bot must never answer 5xx,
 * and the low watermark the walls see must never stand still for more than 2 s.
 */
import { botFlushed, DeadLetterCollector, drained, eventually, ingestProgress, sleep } from '../checks';
import { HostileGenerator, hostileChatBody } from '../hostile';
import { BotLoad, KafkaLoad, ProducedLedger } from '../load';
import { between, ingestAtWork, settle, type Scenario } from '../scenario';
import { longestStallMs } from '../stall';
import { BOT_SHOPS, KIOSK_TOKEN, startSystem } from '../system';
import { WallClient } from '../wall-client';

const EVENTS_PER_SECOND = 200;
const HOSTILE_PER_SECOND = 200;
const THROUGH_THE_BOT = 0.1;
const MAX_STALL_MS = 2_000;
/** Poison shows up after it was produced: the stall window runs this long past the last hostile message. */
const AFTERMATH_MS = 5_000;
const BASELINE_MS = 10_000;

export const hostileInput: Scenario = {
  name: 'hostile-input',
  async run(context) {
    const total = context.set === 'full' ? 10_000 : 2_000;
    const system = await startSystem({ api: true, bot: true, appLogs: context.appLogs, log: context.log });
    const wall = new WallClient(system.api!.url, KIOSK_TOKEN);
    const deadLetters = new DeadLetterCollector(system.kafka, context.runId);
    try {
      const failures: string[] = [];
      const ledger = new ProducedLedger();
      const bot = system.bot!;
      const load = new KafkaLoad((messages) => system.produce(messages), ledger, { seed: between(context.rng, 1, 1e9), runId: context.runId });
      const botRequests = new BotLoad(() => bot.url, ledger, context.runId);
      const generator = new HostileGenerator(context.rng, () => load.validQuestion());
      const botErrors: string[] = [];
      await deadLetters.start();
      load.start(EVENTS_PER_SECOND);
      wall.open();
      if (!(await eventually(() => Promise.resolve(wall.samples.length > 0), 60_000))) failures.push('the wall got no snapshot within 60 s of the start');
      await ingestAtWork(system.admin, failures);
      // The same measure over normal traffic alone, so a stall can be told from this machine's own jitter.
      const baselineFrom = Date.now();
      await sleep(BASELINE_MS);
      context.log(`normal traffic alone: the low watermark stood still at most ${longestStallMs(wall.samples, baselineFrom, Date.now())} ms`);

      context.log(`mixing ${total} hostile messages into ${EVENTS_PER_SECOND} events/s`);
      const hostileFrom = Date.now();
      const perTick = HOSTILE_PER_SECOND / 10;
      let sent = 0;
      while (sent < total) {
        const toKafka = [];
        for (let i = 0; i < perTick && sent < total; i += 1, sent += 1) {
          if (context.rng() >= THROUGH_THE_BOT) {
            toKafka.push(generator.next());
            continue;
          }
          const request = hostileChatBody(context.rng, BOT_SHOPS[sent % BOT_SHOPS.length]!, `chaos-hostile-${context.runId}-${sent}`);
          botRequests.track(
            botRequests.ask(request.body).then(
              (answer) => {
                if (answer.status >= 500) botErrors.push(`${request.kind}: ${answer.status}`);
              },
              (error: unknown) => void botErrors.push(`${request.kind}: ${(error as Error).message}`),
            ),
          );
        }
        load.mix(toKafka);
        await sleep(100);
      }
      const hostileTo = Date.now();
      await sleep(AFTERMATH_MS);
      const stallMs = longestStallMs(wall.samples, hostileFrom, hostileTo + AFTERMATH_MS);
      context.log(`hostile messages sent in ${hostileTo - hostileFrom} ms; the low watermark stood still at most ${stallMs} ms`);
      if (stallMs > MAX_STALL_MS) failures.push(`the low watermark stood still for ${stallMs} ms (limit ${MAX_STALL_MS} ms)`);
      await Promise.all([load.stop(), botRequests.stop()]);
      failures.push(...load.sendErrors.map((error) => `produce failed: ${error}`));
      if (botErrors.length > 0) failures.push(`the bot failed ${botErrors.length} hostile requests, e.g. ${botErrors.slice(0, 3).join('; ')}`);

      if (!(await botFlushed(bot.url, 60_000))) failures.push('the bot still holds events 60 s after the load stopped');
      const drainMs = context.set === 'full' ? 120_000 : 60_000;
      if (!(await drained(system.admin, drainMs))) failures.push(`ingest did not drain within ${drainMs / 1000} s (lag ${(await ingestProgress(system.admin)).lag})`);
      await eventually(() => Promise.resolve(deadLetters.missing(ledger).missing === 0), 30_000);
      const { missing, withoutReason } = deadLetters.missing(ledger);
      const invalid = [...ledger.invalid.values()].reduce((sum, count) => sum + count, 0);
      context.log(`${invalid} invalid messages produced, ${missing} without a dead letter; ${deadLetters.malformed.length} malformed letters`);
      if (missing > 0) failures.push(`${missing} of ${invalid} invalid messages are not in chat.events.dlq`);
      if (withoutReason > 0) failures.push(`${withoutReason} dead letters carry no reason`);
      if (deadLetters.malformed.length > 0) failures.push(`${deadLetters.malformed.length} dead letters break their contract`);
      return await settle(system, ledger, failures, context, stallMs);
    } finally {
      wall.close();
      await deadLetters.stop();
      await system.stop();
    }
  },
};
