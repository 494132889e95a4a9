/**
 * The offline half of `npm run infra:check` (no cluster, no container engine, no network): every
 * Kubernetes object under `<root>/k8s` against the Kubernetes schemas (kubernetes-models), the
 * operators' custom resources against the CRD schemas kept in `infra/schemas/crds`, the KafkaTopics
 * against the settings of `libs/kafka` (`ALL_TOPICS`, `topicConfig`), the compose file against the
 * compose-spec JSON schema, the Dockerfile with dockerfilelint, and the Prometheus alert rules.
 * The cluster DDL half (a dev store) is in scripts/infra-check.ts.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import Ajv, { type ValidateFunction } from 'ajv';
import Ajv2019 from 'ajv/dist/2019';
import addFormats from 'ajv-formats';
import { parseAllDocuments, parse as parseYaml } from 'yaml';
import { ALL_TOPICS, PRODUCTION_REPLICATION, topicConfig } from '@warroom/kafka';
import { apiEnvSchema } from '../../apps/api/src/config/api-config';
import { botEnvSchema } from '../../apps/bot/src/config/bot-config';
import { simEnvSchema } from '../../apps/sim/src/config';

export const REPO_ROOT = resolve(__dirname, '../..');
export const INFRA_ROOT = resolve(REPO_ROOT, 'infra');
export const SCHEMAS_DIR = resolve(INFRA_ROOT, 'schemas');

export interface InfraProblem {
  /** File, relative to the checked root. */
  readonly file: string;
  /** The object or rule in it (`Deployment/api`, `alert WarroomIngestLag`), or '' for the whole file. */
  readonly what: string;
  readonly problem: string;
}

export interface OfflineReport {
  /** Kubernetes objects checked (built-in and custom). */
  readonly manifests: number;
  /** Objects, files and rules found invalid (once per check they fail: schema, environment, ...). */
  readonly invalid: number;
  /** Alert rules that are well formed. */
  readonly alertRules: number;
  /** Objects per kind, e.g. { Deployment: 3 }. */
  readonly kinds: Readonly<Record<string, number>>;
  readonly problems: readonly InfraProblem[];
}

interface Collector {
  problems: InfraProblem[];
  invalid: number;
}

function fail(into: Collector, file: string, what: string, problems: string[]): void {
  if (problems.length === 0) return;
  into.invalid++;
  for (const problem of problems) into.problems.push({ file, what, problem });
}

function filesUnder(dir: string, test: (name: string) => boolean): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...filesUnder(path, test));
    else if (test(name)) out.push(path);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// Kubernetes built-in kinds: kubernetes-models (ESM only, so loaded with a native dynamic import).

interface ModelClass {
  new (data: unknown): { validate(): void };
}

// A real import() even where TypeScript compiles to CommonJS (tsc and swc turn import() into require(), which
// kubernetes-models' exports refuse). Under vitest, whose module runner has no such callback, its own import().
// eslint-disable-next-line @typescript-eslint/no-implied-eval -- a constant body: the one way to keep a native import() in CommonJS
const nativeImport = new Function('specifier', 'return import(specifier)') as (specifier: string) => Promise<unknown>;
async function importEsm(specifier: string): Promise<unknown> {
  try {
    return await nativeImport(specifier);
  } catch (error) {
    if (!(error instanceof TypeError) || !/dynamic import callback/.test(error.message)) throw error;
    return (await import(specifier)) as unknown;
  }
}

/** kubernetes-models' module of one kind: `kubernetes-models/apps/v1/Deployment`, `kubernetes-models/v1/Service`. */
export function modelSpecifier(apiVersion: string, kind: string): string | undefined {
  if (!/^([a-z0-9.-]+\/)?v\d+((alpha|beta)\d+)?$/.test(apiVersion) || !/^[A-Z][A-Za-z0-9]*$/.test(kind)) return undefined;
  return `kubernetes-models/${apiVersion}/${kind}`;
}

async function builtInModel(apiVersion: string, kind: string): Promise<ModelClass | undefined> {
  const specifier = modelSpecifier(apiVersion, kind);
  if (specifier === undefined) return undefined;
  let module: Record<string, unknown>;
  try {
    module = (await importEsm(specifier)) as Record<string, unknown>;
  } catch {
    return undefined; // no such apiVersion or kind in the Kubernetes API
  }
  const model = module[kind];
  return typeof model === 'function' ? (model as ModelClass) : undefined;
}

function modelErrors(error: unknown): string[] {
  const errors = (error as { errors?: { instancePath?: string; message?: string; params?: unknown }[] }).errors;
  if (Array.isArray(errors) && errors.length > 0) {
    return errors.map((e) => `${e.instancePath || '/'} ${e.message ?? 'invalid'} ${e.params ? JSON.stringify(e.params) : ''}`.trim());
  }
  return [error instanceof Error ? error.message : String(error)];
}

// ---------------------------------------------------------------------------------------------------------
// Custom resources: the CRDs' openAPIV3Schema, kept in infra/schemas/crds.

interface CrdFile {
  group: string;
  kind: string;
  versions: string[];
  excerpt: boolean;
  openAPIV3Schema: Record<string, unknown>;
}

/**
 * A structural openAPIV3Schema as JSON Schema, the way the API server validates with strict field
 * validation: an object that lists properties refuses the others unless it preserves unknown fields.
 * `metadata` stays the object of the Kubernetes schemas (the server checks it, not the CRD).
 */
export function crdToJsonSchema(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(crdToJsonSchema);
  if (schema === null || typeof schema !== 'object') return schema;
  const source = schema as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(source)) {
    if (key.startsWith('x-kubernetes-') || key === 'description') continue;
    if (key === 'properties' && value !== null && typeof value === 'object') {
      out.properties = Object.fromEntries(Object.entries(value).map(([name, sub]) => [name, crdToJsonSchema(sub)]));
    } else if (key === 'items' || key === 'additionalProperties') {
      out[key] = crdToJsonSchema(value);
    } else {
      out[key] = value;
    }
  }
  if (source.type === 'object' && source.properties !== undefined && source['x-kubernetes-preserve-unknown-fields'] !== true && source.additionalProperties === undefined) {
    out.additionalProperties = false;
  }
  return out;
}

function loadCrds(schemasDir: string): Map<string, { crd: CrdFile; validate: ValidateFunction; file: string }> {
  const ajv = new Ajv({ allErrors: true, strict: false });
  const crds = new Map<string, { crd: CrdFile; validate: ValidateFunction; file: string }>();
  for (const file of filesUnder(join(schemasDir, 'crds'), (name) => name.endsWith('.yaml'))) {
    const crd = parseYaml(readFileSync(file, 'utf8')) as CrdFile;
    const validate = ajv.compile(crdToJsonSchema(crd.openAPIV3Schema) as object);
    for (const version of crd.versions) crds.set(`${crd.group}/${version} ${crd.kind}`, { crd, validate, file });
  }
  return crds;
}

// ---------------------------------------------------------------------------------------------------------
// Cross-checks of what the manifests say against what the code says.

/** A YAML value as Kafka's settings spell it: `-1`, `false`, `gzip`; `unset` when missing. */
function shown(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value) ?? 'unset';
}

/** A KafkaTopic must match libs/kafka: partitions, replication factor 3 and every setting of topicConfig. */
export function topicProblems(doc: Record<string, unknown>): string[] {
  const spec = (doc.spec ?? {}) as { topicName?: string; partitions?: number; replicas?: number; config?: Record<string, unknown> };
  const name = spec.topicName ?? (doc.metadata as { name?: string } | undefined)?.name ?? '';
  const topic = ALL_TOPICS.find((candidate) => candidate.name === name);
  if (topic === undefined) return [`topic ${name} is not one of libs/kafka's topics (${ALL_TOPICS.map((t) => t.name).join(', ')})`];
  const problems: string[] = [];
  if (spec.partitions !== topic.partitions) problems.push(`${name}: ${String(spec.partitions)} partitions, libs/kafka says ${topic.partitions}`);
  if (spec.replicas !== PRODUCTION_REPLICATION.replicationFactor) {
    problems.push(`${name}: replicas ${String(spec.replicas)}, the production policy is ${PRODUCTION_REPLICATION.replicationFactor}`);
  }
  for (const [key, value] of Object.entries(topicConfig(topic, PRODUCTION_REPLICATION))) {
    const given = spec.config?.[key];
    const said = shown(given);
    if (said !== value) problems.push(`${name}: config ${key} is ${said}, libs/kafka says ${value}`);
  }
  return problems;
}

/** Variables that our processes read and no app's environment schema names: Node's own. */
const ENV_OUTSIDE_SCHEMAS = ['NODE_ENV'];

/**
 * Every variable an app reads (the api's, the bot's and the simulator's env schemas; the migrate and topics
 * commands read a subset of the api's): a name outside it is a typo the apps would silently ignore.
 */
export const KNOWN_ENV: ReadonlySet<string> = new Set([
  ...Object.keys(apiEnvSchema.shape),
  ...Object.keys(botEnvSchema.shape),
  ...Object.keys(simEnvSchema.shape),
  ...ENV_OUTSIDE_SCHEMAS,
]);

export function unknownEnvProblems(names: Iterable<string>): string[] {
  return [...new Set(names)].filter((name) => !KNOWN_ENV.has(name)).map((name) => `environment variable ${name} is read by no warroom app`);
}

/**
 * A `node dist/<path>.js` command must name a file the image compiles: `<path>.ts` in the repository
 * (infra/docker/tsconfig.build.json compiles the repository's tree into dist/ as it is).
 */
export function commandProblems(command: unknown): string[] {
  if (!Array.isArray(command) || command[0] !== 'node' || typeof command[1] !== 'string') return [];
  const match = /^dist\/(.+)\.js$/.exec(command[1]);
  if (match === null) return [`command ${command.join(' ')} does not run a compiled file of dist/`];
  return existsSync(join(REPO_ROOT, `${match[1] ?? ''}.ts`)) ? [] : [`command ${command.join(' ')}: there is no ${match[1] ?? ''}.ts to compile`];
}

interface Container {
  command?: unknown;
  image?: string;
  env?: { name: string }[];
  envFrom?: { configMapRef?: { name: string }; secretRef?: { name: string } }[];
}

/** Containers of our own image in a workload (Deployment, StatefulSet, Job, ...). */
function warroomContainers(doc: Record<string, unknown>): Container[] {
  const spec = doc.spec as { template?: { spec?: { containers?: Container[]; initContainers?: Container[] } } } | undefined;
  const pod = spec?.template?.spec;
  return [...(pod?.containers ?? []), ...(pod?.initContainers ?? [])].filter((c) => typeof c.image === 'string' && /(^|\/)warroom(:|$)/.test(c.image));
}

/** The keys each ConfigMap and Secret of the manifests holds, by `ConfigMap/name` and `Secret/name`. */
function envSources(docs: Record<string, unknown>[]): Map<string, string[]> {
  const sources = new Map<string, string[]>();
  for (const doc of docs) {
    const name = (doc.metadata as { name?: string } | undefined)?.name ?? '';
    if (doc.kind === 'ConfigMap') sources.set(`ConfigMap/${name}`, Object.keys(doc.data ?? {}));
    if (doc.kind === 'Secret') sources.set(`Secret/${name}`, [...Object.keys(doc.stringData ?? {}), ...Object.keys(doc.data ?? {})]);
  }
  return sources;
}

function workloadEnvProblems(doc: Record<string, unknown>, sources: Map<string, string[]>): string[] {
  const names: string[] = [];
  const problems: string[] = [];
  for (const container of warroomContainers(doc)) {
    problems.push(...commandProblems(container.command));
    names.push(...(container.env ?? []).map((variable) => variable.name));
    for (const from of container.envFrom ?? []) {
      const key = from.configMapRef ? `ConfigMap/${from.configMapRef.name}` : from.secretRef ? `Secret/${from.secretRef.name}` : '';
      const keys = sources.get(key);
      if (keys === undefined) problems.push(`envFrom ${key} is not among the manifests`);
      else names.push(...keys);
    }
  }
  return [...problems, ...unknownEnvProblems(names)];
}

// ---------------------------------------------------------------------------------------------------------
// The parts.

async function checkKubernetes(root: string, schemasDir: string, into: Collector, kinds: Record<string, number>): Promise<number> {
  const dir = join(root, 'k8s');
  const files = filesUnder(dir, (name) => /\.ya?ml$/.test(name));
  if (files.length === 0) fail(into, relative(root, dir), '', ['no Kubernetes manifests']);
  const crds = loadCrds(schemasDir);
  const topics = new Set<string>();
  const workloads: { rel: string; what: string; doc: Record<string, unknown> }[] = [];
  const all: Record<string, unknown>[] = [];
  let manifests = 0;
  for (const file of files) {
    const rel = relative(root, file);
    const text = readFileSync(file, 'utf8');
    if (/^kustomization\.ya?ml$/.test(file.split('/').pop() ?? '')) {
      fail(into, rel, 'Kustomization', kustomizationProblems(file, text));
      continue;
    }
    for (const document of parseAllDocuments(text)) {
      if (document.errors.length > 0) {
        fail(into, rel, '', document.errors.map((error) => `YAML: ${error.message}`));
        continue;
      }
      const doc = document.toJS() as Record<string, unknown> | null;
      if (doc === null) continue;
      manifests++;
      const apiVersion = typeof doc.apiVersion === 'string' ? doc.apiVersion : '';
      const kind = typeof doc.kind === 'string' ? doc.kind : '';
      const name = (doc.metadata as { name?: unknown } | undefined)?.name;
      const what = `${kind || '?'}/${typeof name === 'string' ? name : '?'}`;
      kinds[kind] = (kinds[kind] ?? 0) + 1;
      all.push(doc);
      if (warroomContainers(doc).length > 0) workloads.push({ rel, what, doc });
      const problems: string[] = [];
      if (typeof name !== 'string' || !/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(name)) problems.push('metadata.name missing or not a DNS name');
      const custom = crds.get(`${apiVersion} ${kind}`);
      if (custom !== undefined) {
        if (!custom.validate(doc)) {
          for (const error of custom.validate.errors ?? []) {
            problems.push(`${custom.crd.kind} CRD: ${error.instancePath || '/'} ${error.message ?? 'invalid'} ${JSON.stringify(error.params)}`);
          }
        }
        if (kind === 'KafkaTopic') {
          problems.push(...topicProblems(doc));
          const topicName = (doc.spec as { topicName?: string } | undefined)?.topicName ?? (typeof name === 'string' ? name : '');
          topics.add(topicName);
        }
      } else {
        const model = await builtInModel(apiVersion, kind);
        if (model === undefined) problems.push(`no schema for ${apiVersion} ${kind} (neither kubernetes-models nor infra/schemas/crds)`);
        else {
          try {
            new model(doc).validate();
          } catch (error) {
            problems.push(...modelErrors(error));
          }
        }
      }
      fail(into, rel, what, problems);
    }
  }
  // Our containers' environment: every variable is one an app reads, every envFrom source exists.
  const sources = envSources(all);
  for (const workload of workloads) fail(into, workload.rel, `${workload.what} containers`, workloadEnvProblems(workload.doc, sources));
  // Every topic the code uses is provisioned, when the folder provisions topics at all.
  if (topics.size > 0) {
    const missing = ALL_TOPICS.filter((topic) => !topics.has(topic.name)).map((topic) => topic.name);
    if (missing.length > 0) fail(into, relative(root, dir), 'KafkaTopic', [`no KafkaTopic for ${missing.join(', ')}`]);
  }
  return manifests;
}

/** A Kustomization's resources and patches must exist (kustomize would refuse to render). */
export function kustomizationProblems(file: string, text: string): string[] {
  const k = (parseYaml(text) ?? {}) as { resources?: unknown; patches?: unknown };
  const problems: string[] = [];
  const paths: string[] = [];
  if (Array.isArray(k.resources)) paths.push(...k.resources.filter((r): r is string => typeof r === 'string'));
  if (Array.isArray(k.patches)) {
    for (const patch of k.patches as { path?: unknown }[]) if (typeof patch.path === 'string') paths.push(patch.path);
  }
  for (const path of paths) if (!existsSync(resolve(dirname(file), path))) problems.push(`${path} does not exist`);
  return problems;
}

/** Drops the string-valued `id` keywords (draft-04 schema ids); a property named `id` is an object and stays. */
export function withoutDraft4Ids(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(withoutDraft4Ids);
  if (schema === null || typeof schema !== 'object') return schema;
  return Object.fromEntries(
    Object.entries(schema).filter(([key, value]) => !(key === 'id' && typeof value === 'string')).map(([key, value]) => [key, withoutDraft4Ids(value)]),
  );
}

function checkCompose(root: string, schemasDir: string, into: Collector): void {
  const file = join(root, 'compose', 'compose.yaml');
  const rel = relative(root, file);
  if (!existsSync(file)) return fail(into, rel, '', ['missing']);
  const ajv = new Ajv2019({ allErrors: true, strict: false });
  addFormats(ajv);
  // Compose's durations are Go's (`10s`, `1m30s`), not ISO 8601's as ajv-formats reads `duration`.
  ajv.addFormat('duration', /^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/);
  // The spec's own formats: `[host:]published:target[/protocol]` ports (or a number), and a CIDR subnet.
  ajv.addFormat('ports', /^(([\d.]+|\[[\da-fA-F:]+\]):)?(\d{1,5}(-\d{1,5})?:)?\d{1,5}(-\d{1,5})?(\/(tcp|udp|sctp))?$/);
  ajv.addFormat('subnet_ip_address', /^[\da-fA-F.:]+\/\d{1,3}$/);
  ajv.addFormat('expose', /^\d{1,5}(-\d{1,5})?(\/(tcp|udp|sctp))?$/);
  const schema = JSON.parse(readFileSync(join(schemasDir, 'compose-spec.json'), 'utf8')) as Record<string, unknown>;
  // It names draft 2019-09 as `...schema#`, an address ajv does not know by that spelling (Ajv2019 is that
  // draft), and keeps draft-04's `id` annotations, which ajv 8 refuses: both are dropped, nothing else.
  delete schema.$schema;
  const validate = ajv.compile(withoutDraft4Ids(schema) as object);
  // Compose files share settings with YAML merge keys (`<<: *anchor`), as Docker Compose reads them.
  const doc = parseYaml(readFileSync(file, 'utf8'), { merge: true }) as Record<string, unknown>;
  const problems: string[] = [];
  if (!validate(doc)) {
    for (const error of validate.errors ?? []) problems.push(`compose-spec: ${error.instancePath || '/'} ${error.message ?? 'invalid'} ${JSON.stringify(error.params)}`);
  }
  // Every file a service mounts from the repository exists.
  const services = (doc.services ?? {}) as Record<string, { image?: unknown; command?: unknown; environment?: unknown[] | Record<string, unknown>; volumes?: unknown[]; depends_on?: unknown }>;
  for (const [name, service] of Object.entries(services)) {
    for (const volume of service.volumes ?? []) {
      const source = typeof volume === 'string' ? volume.split(':')[0] : (volume as { source?: string }).source;
      if (source !== undefined && source.startsWith('.') && !existsSync(resolve(dirname(file), source))) {
        problems.push(`service ${name} mounts ${source}, which does not exist`);
      }
    }
    if (typeof service.image === 'string' && /(^|\/)warroom(:|$)/.test(service.image)) {
      const environment = service.environment;
      const names = Array.isArray(environment) ? environment.map((entry) => String(entry).split('=')[0] ?? '') : Object.keys(environment ?? {});
      problems.push(...unknownEnvProblems(names).map((problem) => `service ${name}: ${problem}`));
      problems.push(...commandProblems(service.command).map((problem) => `service ${name}: ${problem}`));
    }
    const dependsOn = service.depends_on;
    const needs = Array.isArray(dependsOn) ? (dependsOn as string[]) : Object.keys(dependsOn ?? {});
    for (const other of needs) if (services[other] === undefined) problems.push(`service ${name} depends on ${other}, which is not defined`);
  }
  fail(into, rel, '', problems);
}

interface DockerfileLint {
  run(configPath: string, content: string): { title: string; line: number; rule: string; description: string }[];
}

async function checkDockerfile(root: string, into: Collector): Promise<void> {
  const file = join(root, 'docker', 'Dockerfile');
  const rel = relative(root, file);
  if (!existsSync(file)) return fail(into, rel, '', ['missing']);
  const lint = ((await importEsm('dockerfilelint')) as { default: DockerfileLint }).default;
  const content = readFileSync(file, 'utf8');
  // dockerfilelint reads its rule configuration (.dockerfilelintrc) from this folder.
  const items = lint.run(dirname(file), content);
  const problems = items.map((item) => `dockerfilelint line ${item.line}: ${item.title} (${item.rule})`);
  const cmd = /^\s*CMD\s+(\[.*\])\s*$/m.exec(content.split('\n').filter((line) => /^\s*CMD\s/.test(line)).pop() ?? '');
  if (cmd?.[1] !== undefined) problems.push(...commandProblems(JSON.parse(cmd[1]) as unknown));
  const lines = content.split('\n');
  const lastUser = [...lines].reverse().find((line) => /^\s*USER\s+/i.test(line));
  if (lastUser === undefined || /^\s*USER\s+(root|0)(\s|:|$)/i.test(lastUser)) problems.push('the final stage does not run as a non-root USER');
  fail(into, rel, '', problems);
}

const SEVERITIES = new Set(['critical', 'warning', 'info']);

/** Prometheus rule groups: each alert rule has alert, expr, for, labels.severity and annotations. */
export function alertRuleProblems(text: string): { rules: number; bad: { what: string; problems: string[] }[] } {
  const doc = (parseYaml(text) ?? {}) as { groups?: unknown; spec?: { groups?: unknown } };
  const groups = (doc.groups ?? doc.spec?.groups) as { name?: string; rules?: Record<string, unknown>[] }[] | undefined;
  const bad: { what: string; problems: string[] }[] = [];
  let rules = 0;
  if (!Array.isArray(groups) || groups.length === 0) return { rules, bad: [{ what: '', problems: ['no rule groups'] }] };
  for (const group of groups) {
    for (const [index, rule] of (group.rules ?? []).entries()) {
      if (rule.record !== undefined) continue;
      const what = `alert ${typeof rule.alert === 'string' ? rule.alert : `#${index + 1} of ${group.name ?? '?'}`}`;
      const problems: string[] = [];
      if (typeof rule.alert !== 'string' || !/^[A-Za-z_:][A-Za-z0-9_:]*$/.test(rule.alert)) problems.push('no alert name');
      if (typeof rule.expr !== 'string' || rule.expr.trim() === '') problems.push('no expr');
      if (typeof rule.for !== 'string' || !/^(\d+(ms|s|m|h|d|w|y))+$/.test(rule.for)) problems.push('no for duration');
      const severity = (rule.labels as { severity?: unknown } | undefined)?.severity;
      if (typeof severity !== 'string' || !SEVERITIES.has(severity)) problems.push('labels.severity is not critical, warning or info');
      const annotations = rule.annotations as { summary?: unknown; description?: unknown } | undefined;
      if (typeof annotations?.summary !== 'string' || typeof annotations.description !== 'string') problems.push('annotations need summary and description');
      if (problems.length > 0) bad.push({ what, problems });
      else rules++;
    }
  }
  return { rules, bad };
}

function checkObservability(root: string, into: Collector): number {
  const dir = join(root, 'observability');
  const file = join(dir, 'alerts.yaml');
  if (!existsSync(file)) {
    fail(into, relative(root, file), '', ['missing']);
    return 0;
  }
  const { rules, bad } = alertRuleProblems(readFileSync(file, 'utf8'));
  for (const rule of bad) fail(into, relative(root, file), rule.what, rule.problems);
  for (const dashboard of filesUnder(dir, (name) => name.endsWith('.json'))) {
    const problems: string[] = [];
    try {
      const json = JSON.parse(readFileSync(dashboard, 'utf8')) as { panels?: { title?: string; targets?: { expr?: string }[] }[] };
      if (!Array.isArray(json.panels) || json.panels.length === 0) problems.push('no panels');
      for (const panel of json.panels ?? []) {
        if (panel.targets !== undefined && panel.targets.some((target) => typeof target.expr !== 'string' || target.expr === '')) {
          problems.push(`panel ${panel.title ?? '?'} has a target without expr`);
        }
      }
    } catch (error) {
      problems.push(`not JSON: ${error instanceof Error ? error.message : String(error)}`);
    }
    fail(into, relative(root, dashboard), 'Grafana dashboard', problems);
  }
  return rules;
}

/** Everything that needs no store: manifests, compose file, Dockerfile, alert rules. */
export async function checkInfraOffline(root: string = INFRA_ROOT, schemasDir: string = SCHEMAS_DIR): Promise<OfflineReport> {
  const into: Collector = { problems: [], invalid: 0 };
  const kinds: Record<string, number> = {};
  const manifests = await checkKubernetes(root, schemasDir, into, kinds);
  checkCompose(root, schemasDir, into);
  await checkDockerfile(root, into);
  const alertRules = checkObservability(root, into);
  return { manifests, invalid: into.invalid, alertRules, kinds, problems: into.problems };
}
