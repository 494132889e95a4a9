/**
 * npm run -s topics [-- --replication-factor 3 --min-insync-replicas 2 --check --json]
 *
 * Creates and configures warroom's Kafka topics once per deployment (libs/kafka/src/provision.ts):
 * partitions as designed, replication, min.insync.replicas, retention (kb.patches forever), gzip.
 * Idempotent: a second run changes nothing. With --check it only reports, as every app does at start.
 * Reads KAFKA_BROKERS and the TLS/SASL variables; a bad one exits 2 naming it. Exits 1 when a topic
 * has a problem the command cannot fix (too few partitions or replicas), with the fix in the report.
 * Last line of stdout: {"created","reconfigured","unchanged","problems","settingsChecked"}.
 */
import { parseArgs } from 'node:util';
import { z } from 'zod';
import {
  checkTopics,
  createKafka,
  kafkaBrokerListSchema,
  kafkaSecurityEnvShape,
  kafkaSecurityFrom,
  kafkaSecurityProblems,
  PRODUCTION_REPLICATION,
  provisionTopics,
  TopicCheckError,
} from '@warroom/kafka';
import { describeIssues } from '@warroom/contracts';

const { values } = parseArgs({
  options: {
    'replication-factor': { type: 'string', default: String(PRODUCTION_REPLICATION.replicationFactor) },
    'min-insync-replicas': { type: 'string', default: String(PRODUCTION_REPLICATION.minInsyncReplicas) },
    check: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
  },
});

const envSchema = z
  .object({ KAFKA_BROKERS: kafkaBrokerListSchema, KAFKA_CLIENT_ID: z.string().min(1).default('warroom-topics'), ...kafkaSecurityEnvShape })
  .superRefine((env, context) => {
    for (const problem of kafkaSecurityProblems(env)) context.addIssue({ code: 'custom', message: problem });
  });

const policySchema = z
  .object({ replicationFactor: z.coerce.number().int().min(1), minInsyncReplicas: z.coerce.number().int().min(1) })
  .refine((policy) => policy.minInsyncReplicas <= policy.replicationFactor, {
    message: '--min-insync-replicas cannot exceed --replication-factor',
  });

async function main(): Promise<number> {
  const env = envSchema.safeParse(process.env);
  const policy = policySchema.safeParse({ replicationFactor: values['replication-factor'], minInsyncReplicas: values['min-insync-replicas'] });
  if (!env.success || !policy.success) {
    const problems = [...(env.success ? [] : describeIssues(env.error)), ...(policy.success ? [] : describeIssues(policy.error))];
    process.stderr.write(`topics: invalid configuration:\n${problems.map((line) => `  - ${line}`).join('\n')}\n`);
    return 2;
  }
  const kafka = createKafka({ brokers: env.data.KAFKA_BROKERS, clientId: env.data.KAFKA_CLIENT_ID, security: kafkaSecurityFrom(env.data) });
  const admin = kafka.admin();
  await admin.connect();
  try {
    if (values.check) {
      try {
        const result = await checkTopics(admin);
        process.stdout.write(`${JSON.stringify({ ok: true, problems: [], ...result })}\n`);
        return 0;
      } catch (error) {
        if (!(error instanceof TopicCheckError)) throw error;
        if (!values.json) process.stderr.write(`topics: ${error.message}\n`);
        process.stdout.write(`${JSON.stringify({ ok: false, problems: error.problems })}\n`);
        return 1;
      }
    }
    const report = await provisionTopics(admin, policy.data);
    if (!values.json) {
      process.stderr.write(`topics: created ${report.created.join(', ') || 'none'}; reconfigured ${report.reconfigured.join(', ') || 'none'}\n`);
      if (!report.settingsChecked) process.stderr.write('topics: this broker does not report topic settings; they were not checked\n');
      for (const problem of report.problems) process.stderr.write(`topics: ${problem.topic}: ${problem.problem}\n`);
    }
    process.stdout.write(`${JSON.stringify(report)}\n`);
    return report.problems.length > 0 ? 1 : 0;
  } finally {
    await admin.disconnect();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`topics: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
