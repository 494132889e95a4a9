/**
 * Background traffic for bench:patch, run in a worker thread: customers asking the bot the demo
 * packs' example questions (with a varied ending, so most go through the matcher), closed loop
 * (`rate` 0: as fast as the bot answers) or at a fixed rate, over keep-alive connections of the lean client
 * that bench:bot uses (node:http's took CPU from the bot whose capacity is measured here).
 */
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { parsePackFiles, readPackFiles } from '@warroom/knowledge';
import { BenchConnection } from './bench-connection';

export interface LoadReport {
  answered: number;
  errors: number;
  /** Requests that started more than 100 ms after their slot: the rate was not held. */
  behind: number;
  seconds: number;
}

const ENDINGS = ['', '呢', '？', '啊', '，麻烦告诉我', '，急'];
/** Distinct question texts of the demo packs (examples of industry and demo-electronics answers). */
export const BACKGROUND_QUESTIONS: string[] = (() => {
  const examples = parsePackFiles(readPackFiles('packs')).flatMap((pack) => {
    if (pack.kind === 'industry') return pack.answers.flatMap((answer) => answer.examples);
    if (pack.kind === 'shop' && pack.shopId === 'demo-electronics') return pack.answers.flatMap((answer) => answer.examples);
    return [];
  });
  return [...new Set(examples.flatMap((example) => ENDINGS.map((ending) => `${example}${ending}`)))];
})();

interface LoadOptions {
  botUrl: string;
  shopId: string;
  seconds: number;
  rate: number;
  connections: number;
}

async function run(options: LoadOptions, stopped: () => boolean): Promise<LoadReport> {
  const url = new URL('/api/chat', options.botUrl);
  const started = performance.now();
  const deadline = started + options.seconds * 1000;
  let ticket = 0;
  const report: LoadReport = { answered: 0, errors: 0, behind: 0, seconds: 0 };
  const loop = async (): Promise<void> => {
    let connection: BenchConnection | null = null;
    while (!stopped() && performance.now() < deadline) {
      const n = ticket++;
      if (options.rate > 0) {
        const slot = started + (n / options.rate) * 1000;
        const wait = slot - performance.now();
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
        else if (wait < -100) report.behind += 1;
      }
      const text = BACKGROUND_QUESTIONS[n % BACKGROUND_QUESTIONS.length]!;
      const body = JSON.stringify({ shopId: options.shopId, sessionId: `load-${n % 5000}`, customerId: `load-${n % 5000}`, text });
      try {
        connection ??= await BenchConnection.open(url);
        const { status } = await connection.post(body);
        if (status === 200) report.answered += 1;
        else report.errors += 1;
      } catch {
        // A broken connection is counted and replaced, as a keep-alive agent would.
        report.errors += 1;
        connection?.close();
        connection = null;
      }
    }
    connection?.close();
  };
  await Promise.all(Array.from({ length: options.connections }, () => loop()));
  report.seconds = (performance.now() - started) / 1000;
  return report;
}

if (!isMainThread && parentPort) {
  const port = parentPort;
  let stop = false;
  port.on('message', (message) => {
    if (message === 'stop') stop = true;
  });
  void run(workerData as LoadOptions, () => stop).then((report) => {
    port.postMessage(report);
    port.close();
  });
}
