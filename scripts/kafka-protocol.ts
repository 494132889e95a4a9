/**
 * npm run -s kafka:protocol -- --brokers host:9092[,host2:9092] [--ca-file ca.pem] [--json]
 *
 * For each broker: which version of each protocol API kafkajs will speak with it (the highest both
 * know), from the broker's own ApiVersions answer. Run it against a cluster before upgrading Kafka:
 * Kafka 4.0 removed old versions (KIP-896). Without --brokers it starts the dev broker and asks it.
 * Exits 1 when an API every app needs has no common version.
 * Last line of stdout: {"brokers":[{"broker","apis":[{"api","client","broker","negotiated","required"}],"unusable":[...]}]}.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { fetchBrokerVersions, kafkajsVersions, negotiate, parseBrokers, type ApiVerdict } from '@warroom/kafka';
import { startDevBroker, type DevBroker } from '../infra/dev/broker/launch';

const { values } = parseArgs({
  options: {
    brokers: { type: 'string' },
    'ca-file': { type: 'string' },
    json: { type: 'boolean', default: false },
  },
});

function range(verdict: ApiVerdict): string {
  const broker = verdict.broker === null ? 'not offered' : `v${verdict.broker.min}-v${verdict.broker.max}`;
  const negotiated = verdict.negotiated === null ? (verdict.required ? 'NONE (required)' : 'none') : `v${verdict.negotiated}`;
  return `${verdict.api.padEnd(16)} kafkajs v${verdict.client.min}-v${verdict.client.max}  broker ${broker.padEnd(12)} -> ${negotiated}`;
}

async function main(): Promise<number> {
  let devBroker: DevBroker | undefined;
  try {
    if (values.brokers === undefined) devBroker = await startDevBroker({ onLog: () => undefined });
    const brokers = parseBrokers(values.brokers ?? (devBroker as DevBroker).brokers);
    const tls = values['ca-file'] === undefined ? undefined : { ca: readFileSync(values['ca-file']) };
    const client = kafkajsVersions();
    const results = [];
    for (const broker of brokers) {
      const apis = negotiate(client, await fetchBrokerVersions(broker, { tls }));
      const unusable = apis.filter((verdict) => verdict.required && verdict.negotiated === null).map((verdict) => verdict.api);
      if (!values.json) process.stderr.write(`${broker}${devBroker ? ' (dev broker)' : ''}\n${apis.map((verdict) => `  ${range(verdict)}`).join('\n')}\n`);
      results.push({ broker, apis, unusable });
    }
    process.stdout.write(`${JSON.stringify({ brokers: results })}\n`);
    return results.some((result) => result.unusable.length > 0) ? 1 : 0;
  } finally {
    await devBroker?.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`kafka:protocol: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(2);
  },
);
