import { randomUUID } from 'node:crypto';
import { ConfigError, parseSimConfig, type ChatEvent, type SimEnv } from '@warroom/contracts';
import { TOPICS, createKafka, createProducer, sendBatch } from '@warroom/kafka';
import { TrafficGenerator } from './traffic';

/** Produces in steps this long: small enough for a smooth curve, large enough for batched sends. */
const STEP_MS = 100;

function loadConfig(): SimEnv {
  try {
    return parseSimConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(2);
    }
    throw error;
  }
}

async function main(): Promise<void> {
  const config = loadConfig();
  const kafka = createKafka({ brokers: config.KAFKA_BROKERS, clientId: 'warroom-sim' });
  const producer = createProducer(kafka, { idempotent: true });
  await producer.connect();
  const generator = new TrafficGenerator({
    shops: config.SIM_SHOPS,
    source: config.SIM_SOURCE,
    campaignId: config.SIM_CAMPAIGN_ID,
    seed: config.SIM_SEED,
    runId: randomUUID().slice(0, 8),
  });

  let running = true;
  const stop = (): void => {
    running = false;
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  console.log(JSON.stringify({ event: 'ready', rate: config.SIM_RATE, shops: config.SIM_SHOPS, source: config.SIM_SOURCE }));

  let questions = 0;
  let owed = 0;
  while (running && (config.SIM_MAX_QUESTIONS === 0 || questions < config.SIM_MAX_QUESTIONS)) {
    const stepStarted = Date.now();
    owed += (config.SIM_RATE * STEP_MS) / 1000;
    const events: ChatEvent[] = [];
    const now = new Date();
    while (owed >= 1 && (config.SIM_MAX_QUESTIONS === 0 || questions < config.SIM_MAX_QUESTIONS)) {
      events.push(...generator.nextQuestion(now));
      owed -= 1;
      questions += 1;
    }
    if (events.length > 0) {
      await sendBatch(
        producer,
        TOPICS.chatEvents.name,
        events.map((event) => ({ key: event.sessionId, value: JSON.stringify(event) })),
      );
    }
    await new Promise((done) => setTimeout(done, Math.max(0, STEP_MS - (Date.now() - stepStarted))));
  }
  await producer.disconnect();
  console.log(JSON.stringify({ event: 'stopped', questions }));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
