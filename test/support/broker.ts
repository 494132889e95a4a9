/**
 * The dev broker for test files: one broker per file, started in beforeAll, stopped in afterAll.
 *
 * Skipping: only when librdkafka is not installed, only outside CI, and with the reason in the
 * suite name. In CI (CI=true) a broker that cannot start fails the suite: a green run must mean
 * the Kafka tests ran. Any other start failure (layout check refused, timeout) fails everywhere.
 */
import { afterAll, beforeAll, describe } from 'vitest';
import { startDevBroker, type DevBroker, type StartDevBrokerOptions } from '../../infra/dev/broker/launch';
import { librdkafkaMissingReason } from '../../infra/dev/broker/librdkafka';

export { startDevBroker, type DevBroker, type StartDevBrokerOptions };

const inCi = process.env.CI === 'true';

/** Why Kafka suites are skipped on this machine, or undefined when they run (always in CI). */
export const devBrokerSkipReason: string | undefined = inCi ? undefined : librdkafkaMissingReason();

/**
 * `describe` for suites that need the dev broker: skipped, with the reason in its name, when the
 * broker cannot run here and this is not CI.
 */
export function describeWithDevBroker(name: string, body: () => void): void {
  if (devBrokerSkipReason === undefined) {
    describe(name, body);
  } else {
    describe.skip(`${name} [skipped: ${devBrokerSkipReason}]`, body);
  }
}

/**
 * Registers beforeAll/afterAll for one broker and returns an accessor that throws if used before
 * the broker is up (e.g. from a describe body instead of a test).
 */
export function useDevBroker(options: StartDevBrokerOptions = {}): () => DevBroker {
  let broker: DevBroker | undefined;
  beforeAll(async () => {
    broker = await startDevBroker(options);
  });
  afterAll(async () => {
    const running = broker;
    broker = undefined;
    await running?.stop();
  });
  return () => {
    if (!broker) throw new Error('useDevBroker(): the broker is only available inside tests and hooks');
    return broker;
  };
}
