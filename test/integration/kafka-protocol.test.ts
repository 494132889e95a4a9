/**
 * kafkajs against the dev broker's own ApiVersions answer, through a real TCP connection: every API
 * the apps need has a version both sides know, and the one kafkajs picks is the highest of them.
 */
import { expect, it } from 'vitest';
import { fetchBrokerVersions, kafkajsVersions, negotiate, parseBrokers } from '@warroom/kafka';
import { describeWithDevBroker, useDevBroker } from '../support/broker';

describeWithDevBroker('kafka protocol versions', () => {
  const broker = useDevBroker();

  it('finds a common version for every API the apps need, the highest both know', async () => {
    const [address] = parseBrokers(broker().brokers);
    const offered = await fetchBrokerVersions(address as string);
    const verdicts = negotiate(kafkajsVersions(), offered);
    expect(verdicts.filter((verdict) => verdict.required && verdict.negotiated === null)).toEqual([]);
    const produce = verdicts.find((verdict) => verdict.api === 'Produce');
    expect(produce?.negotiated).toBe(Math.min(produce?.client.max ?? -1, produce?.broker?.max ?? -1));
  });

  it('names a broker that does not answer', async () => {
    await expect(fetchBrokerVersions('127.0.0.1:1', { timeoutMs: 2_000 })).rejects.toThrow(/ApiVersions from 127\.0\.0\.1:1/);
  });
});
