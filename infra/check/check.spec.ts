import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  alertRuleProblems,
  checkInfraOffline,
  commandProblems,
  crdToJsonSchema,
  INFRA_ROOT,
  KNOWN_ENV,
  modelSpecifier,
  topicProblems,
  unknownEnvProblems,
  withoutDraft4Ids,
} from './check';

const BAD = join(__dirname, 'fixtures', 'bad');

describe('infra:check offline', () => {
  it('finds the real infra valid: every manifest, the compose file, the Dockerfile and the alert rules', async () => {
    const report = await checkInfraOffline(INFRA_ROOT);
    expect(report.problems).toEqual([]);
    expect(report.invalid).toBe(0);
    expect(report.manifests).toBeGreaterThanOrEqual(10);
    expect(report.alertRules).toBeGreaterThanOrEqual(4);
    for (const kind of ['Deployment', 'StatefulSet', 'PodDisruptionBudget', 'HorizontalPodAutoscaler', 'Secret', 'Job', 'Ingress', 'Kafka', 'KafkaTopic', 'KafkaUser', 'ClickHouseInstallation', 'ClickHouseKeeperInstallation']) {
      expect(report.kinds[kind], kind).toBeGreaterThan(0);
    }
  }, 60_000);

  it('names each fault of the bad fixtures', async () => {
    const report = await checkInfraOffline(BAD);
    const said = report.problems.map((p) => `${p.file} ${p.what}: ${p.problem}`);
    const expectSaid = (pattern: RegExp): void => {
      expect(said.some((line) => pattern.test(line)), `${pattern} in\n${said.join('\n')}`).toBe(true);
    };
    expectSaid(/deployment\.yaml Deployment\/broken-api: \/spec\/replicas must be integer/);
    expectSaid(/deployment\.yaml Deployment\/broken-api: \/spec must have required property selector/);
    expectSaid(/kafka-topic\.yaml KafkaTopic\/chat-events: KafkaTopic CRD: \/spec must NOT have additional properties .*replicationFactor/);
    expectSaid(/kafka-topic\.yaml KafkaTopic\/chat-events: KafkaTopic CRD: \/spec\/partitions must be >= 1/);
    expectSaid(/compose\.yaml : compose-spec: \/services\/api must NOT have additional properties .*healthcheks/);
    expectSaid(/Dockerfile : dockerfilelint line 1: Base Image Missing Tag/);
    expectSaid(/Dockerfile : the final stage does not run as a non-root USER/);
    expectSaid(/alerts\.yaml alert WarroomNoExpr: no expr/);
    expectSaid(/deployment\.yaml Deployment\/broken-api containers: environment variable KAFKA_BROKER is read by no warroom app/);
    expectSaid(/compose\.yaml : service api: environment variable CLICKHOUSE_ULR is read by no warroom app/);
    expectSaid(/deployment\.yaml Deployment\/broken-api containers: command node dist\/apps\/api\/main\.js: there is no apps\/api\/main\.ts to compile/);
    expect(report.invalid).toBeGreaterThanOrEqual(5);
    expect(report.alertRules).toBe(0);
  }, 60_000);
});

describe('infra:check pieces', () => {
  it("names kubernetes-models' module of a kind, and nothing for what is not an apiVersion or a kind", () => {
    expect(modelSpecifier('v1', 'Service')).toBe('kubernetes-models/v1/Service');
    expect(modelSpecifier('apps/v1', 'Deployment')).toBe('kubernetes-models/apps/v1/Deployment');
    expect(modelSpecifier('networking.k8s.io/v1', 'Ingress')).toBe('kubernetes-models/networking.k8s.io/v1/Ingress');
    expect(modelSpecifier('autoscaling/v2beta2', 'HorizontalPodAutoscaler')).toBe('kubernetes-models/autoscaling/v2beta2/HorizontalPodAutoscaler');
    expect(modelSpecifier('../x', 'Deployment')).toBeUndefined();
    expect(modelSpecifier('apps/v1', '../Deployment')).toBeUndefined();
  });

  it('reads a CRD schema strictly, except where it preserves unknown fields', () => {
    const schema = crdToJsonSchema({
      type: 'object',
      description: 'dropped',
      properties: { a: { type: 'object', properties: { b: { type: 'string' } } }, c: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
    });
    expect(schema).toEqual({
      type: 'object',
      additionalProperties: false,
      properties: { a: { type: 'object', additionalProperties: false, properties: { b: { type: 'string' } } }, c: { type: 'object' } },
    });
  });

  it('knows every variable of the apps, and names the others', () => {
    for (const name of ['KAFKA_BROKERS', 'CLICKHOUSE_URL', 'WARROOM_ROLES', 'BOT_SPOOL_DIR', 'SIM_BOT_URL', 'KAFKA_SASL_PASSWORD', 'CLICKHOUSE_CA_FILE']) {
      expect(KNOWN_ENV.has(name), name).toBe(true);
    }
    expect(unknownEnvProblems(['HOST', 'KAFKA_BROKER', 'KAFKA_BROKER'])).toEqual(['environment variable KAFKA_BROKER is read by no warroom app']);
  });

  it('accepts node commands of files the image compiles', () => {
    expect(commandProblems(['node', 'dist/apps/api/src/main.js'])).toEqual([]);
    expect(commandProblems(['node', 'dist/scripts/migrate.js'])).toEqual([]);
    expect(commandProblems(['node', 'dist/scripts/migrations.js'])).toEqual(['command node dist/scripts/migrations.js: there is no scripts/migrations.ts to compile']);
    expect(commandProblems(['node', '-r', '@swc-node/register', 'apps/api/src/main.ts'])[0]).toMatch(/does not run a compiled file/);
    expect(commandProblems(undefined)).toEqual([]);
  });

  it('drops draft-04 ids but keeps a property named id', () => {
    expect(withoutDraft4Ids({ id: '#/x', properties: { id: { type: 'string' } } })).toEqual({ properties: { id: { type: 'string' } } });
  });

  it("compares a KafkaTopic with libs/kafka's settings", () => {
    const good = {
      metadata: { name: 'kb-patches' },
      spec: {
        topicName: 'kb.patches',
        partitions: 1,
        replicas: 3,
        config: { 'cleanup.policy': 'delete', 'retention.ms': -1, 'retention.bytes': -1, 'compression.type': 'gzip', 'min.insync.replicas': 2, 'unclean.leader.election.enable': false },
      },
    };
    expect(topicProblems(good)).toEqual([]);
    expect(topicProblems({ ...good, spec: { ...good.spec, config: { ...good.spec.config, 'retention.ms': 604800000 } } })).toEqual([
      'kb.patches: config retention.ms is 604800000, libs/kafka says -1',
    ]);
    expect(topicProblems({ metadata: { name: 'other' }, spec: {} })[0]).toMatch(/not one of libs\/kafka's topics/);
  });

  it('counts well-formed alert rules and names the others', () => {
    const text = `groups:
  - name: g
    rules:
      - record: job:x:rate5m
        expr: rate(x[5m])
      - alert: Good
        expr: up == 0
        for: 1m
        labels: { severity: critical }
        annotations: { summary: s, description: d }
      - alert: NoSeverity
        expr: up == 0
        for: 1m
        annotations: { summary: s, description: d }
`;
    expect(alertRuleProblems(text)).toEqual({ rules: 1, bad: [{ what: 'alert NoSeverity', problems: ['labels.severity is not critical, warning or info'] }] });
  });
});
