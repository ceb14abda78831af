/**
 * The deployment files, checked offline (no cluster, no container engine
 * here):
 *
 * - every Kubernetes manifest under deploy/k8s is validated twice: against
 *   the Kubernetes OpenAPI schemas compiled into the kubernetes-models npm
 *   package (required fields, types, enums, formats), and by decoding it
 *   strictly into the Kubernetes API's own Go types (deploy/validate, on
 *   k8s.io/api from the Go module proxy: unknown or misspelt fields, wrong
 *   types, malformed quantities). Neither checks what only an API server
 *   can: admission (e.g. PodSecurity), defaulting, cross-object references.
 * - the kustomizations list exactly the files beside them; kustomize itself
 *   is not run (its patches are checked against the manifest they patch).
 * - the lab's own rules: probes on /readyz and /healthz, a PDB for every
 *   workload, the web tier unprivileged and autoscaled, secrets from Secrets.
 * - the Dockerfile's build context: each COPY source exists and is not left
 *   out by .dockerignore (the image itself is not built here).
 *
 * Each validator is shown to reject a broken manifest, so a validator that
 * silently accepts everything fails this suite instead of passing it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { parseAllDocuments } from 'yaml';

const ROOT = join(import.meta.dirname, '..', '..');
const K8S = join(ROOT, 'deploy', 'k8s');
const VALIDATOR = join(ROOT, 'deploy', 'validate');
/** Building the Go validator the first time downloads k8s.io/api and compiles it (minutes on two loaded cores). */
const GO_BUILD_TIMEOUT_MS = 15 * 60_000;

type Obj = Record<string, any>;
interface Doc {
  file: string;
  obj: Obj;
}

function yamlFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? yamlFiles(join(dir, e.name)) : /\.ya?ml$/.test(e.name) ? [join(dir, e.name)] : [],
  );
}
const isKustomization = (f: string) => /(^|\/)kustomization\.ya?ml$/.test(f);

function parse(file: string): Obj[] {
  return parseAllDocuments(readFileSync(file, 'utf8'))
    .map((d) => {
      assert.equal(d.errors.length, 0, `${relative(ROOT, file)}: ${d.errors.join('; ')}`);
      return d.toJSON();
    })
    .filter((o) => o !== null);
}

const files = yamlFiles(K8S);
const manifestFiles = files.filter((f) => !isKustomization(f));
const docs: Doc[] = manifestFiles.flatMap((file) => parse(file).map((obj) => ({ file: relative(ROOT, file), obj })));
const kinds = (kind: string) => docs.filter((d) => d.obj.kind === kind);

/** kubernetes-models' class for an apiVersion and kind ("v1" → kubernetes-models/v1/Kind). */
async function modelOf(obj: Obj): Promise<new (o: Obj) => { validate(): void }> {
  const path = `kubernetes-models/${obj.apiVersion}/${obj.kind}`;
  const mod = await import(path).catch((err) => assert.fail(`no schema for ${obj.apiVersion} ${obj.kind} (${path}): ${err.message}`));
  return mod[obj.kind] ?? mod.default;
}

let validatorBinary: string | null = null;
/** Builds deploy/validate once; throws (never skips) when Go or its modules are unavailable. */
function goValidator(): string {
  if (validatorBinary) return validatorBinary;
  const out = join(mkdtempSync(join(tmpdir(), 'lab-k8s-validate-')), 'validate');
  const r = spawnSync('go', ['build', '-o', out, '.'], {
    cwd: VALIDATOR,
    encoding: 'utf8',
    timeout: GO_BUILD_TIMEOUT_MS,
    env: { ...process.env, GOFLAGS: '-mod=readonly' },
  });
  assert.equal(r.status, 0, `building the manifest validator (deploy/validate) failed: ${r.error?.message ?? ''}${r.stderr}`);
  validatorBinary = out;
  return out;
}
function runValidator(paths: string[]): { status: number | null; stderr: string } {
  const r = spawnSync(goValidator(), paths, { encoding: 'utf8' });
  return { status: r.status, stderr: r.stderr };
}

test('there are manifests to check (the web tier, runners, the all-in-one lab)', () => {
  assert.ok(kinds('Deployment').length >= 1 && kinds('StatefulSet').length >= 2, JSON.stringify(docs.map((d) => `${d.file} ${d.obj.kind}`)));
});

test('every manifest matches the Kubernetes OpenAPI schema of its kind (kubernetes-models)', async () => {
  for (const { file, obj } of docs) {
    const Model = await modelOf(obj);
    assert.doesNotThrow(() => new Model(obj).validate(), `${file}: ${obj.kind} ${obj.metadata?.name}`);
  }
});

test('the schema validator rejects a broken manifest (a string where an integer belongs, a missing selector)', async () => {
  const web = structuredClone(kinds('Deployment').find((d) => d.obj.metadata.name === 'web')!.obj);
  web.spec.replicas = 'two';
  const Model = await modelOf(web);
  assert.throws(() => new Model(web).validate(), /replicas/);
  const noSelector = structuredClone(kinds('Deployment')[0].obj);
  delete noSelector.spec.selector;
  assert.throws(() => new Model(noSelector).validate(), /selector/);
});

test("every manifest decodes strictly into the Kubernetes API's Go types (deploy/validate)", () => {
  const r = runValidator(manifestFiles);
  assert.equal(r.status, 0, r.stderr);
});

test('the strict decoder rejects a misspelt field, a malformed quantity and an unknown kind', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lab-k8s-bad-'));
  const original = readFileSync(join(K8S, 'base', 'web.yaml'), 'utf8');
  const cases: Record<string, string> = {
    'misspelt.yaml': original.replace('readinessProbe:', 'readinesProbe:'),
    'quantity.yaml': original.replace('memory: 256Mi', 'memory: 256MB!'),
    'kind.yaml': 'apiVersion: apps/v1\nkind: Deploymnet\nmetadata:\n  name: x\n',
  };
  for (const [name, text] of Object.entries(cases)) {
    assert.notEqual(text, original, `${name}: the mutation applies`);
    writeFileSync(join(dir, name), text);
    const r = runValidator([join(dir, name)]);
    assert.equal(r.status, 1, `${name} was accepted`);
    assert.match(r.stderr, new RegExp(name));
  }
});

test('each kustomization lists exactly the manifests beside it; examples/ are applied by none', () => {
  const kustomizations = files.filter(isKustomization);
  assert.ok(kustomizations.length >= 3);
  const listed = new Set<string>();
  for (const k of kustomizations) {
    const [obj] = parse(k);
    assert.match(obj.kind, /^(Kustomization|Component)$/, k);
    for (const r of obj.resources ?? []) {
      const path = join(dirname(k), r);
      assert.ok(existsSync(path), `${relative(ROOT, k)} lists ${r}, which does not exist`);
      listed.add(path);
    }
  }
  for (const f of manifestFiles) {
    const inExamples = relative(K8S, f).startsWith('examples/');
    assert.equal(listed.has(f), !inExamples, `${relative(ROOT, f)}: ${inExamples ? 'an example must not be applied' : 'not listed in its kustomization'}`);
  }
});

test("the gVisor component's patch applies to the runner StatefulSet as written", () => {
  const [component] = parse(join(K8S, 'gvisor', 'kustomization.yaml'));
  const patch = component.patches[0];
  const target = kinds(patch.target.kind).find((d) => d.obj.metadata.name === patch.target.name);
  assert.ok(target, `no ${patch.target.kind} ${patch.target.name} to patch`);
  for (const op of parseAllDocuments(patch.patch)[0].toJSON() as Obj[]) {
    const parent = op.path
      .split('/')
      .slice(1, -1)
      .reduce((o: Obj | undefined, k: string) => o?.[k], target.obj);
    assert.ok(parent && typeof parent === 'object', `${op.path}: its parent is missing in ${target.file}`);
  }
  assert.equal(kinds('RuntimeClass')[0]?.obj.metadata.name, 'gvisor');
});

test('workloads: probes on /readyz and /healthz, a PDB for each replicated one, secrets from Secrets', () => {
  const workloads = [...kinds('Deployment'), ...kinds('StatefulSet')];
  for (const { file, obj } of workloads) {
    const labels = obj.spec.template.metadata.labels;
    for (const c of obj.spec.template.spec.containers) {
      assert.equal(c.readinessProbe?.httpGet?.path, '/readyz', `${file} ${c.name}: readiness`);
      assert.equal(c.livenessProbe?.httpGet?.path, '/healthz', `${file} ${c.name}: liveness`);
      for (const e of c.env ?? []) {
        if (/DATABASE_URL|TOKEN|PASSWORD|SECRET/.test(e.name))
          assert.ok(e.valueFrom?.secretKeyRef && e.value === undefined, `${file}: ${e.name} must come from a Secret`);
      }
    }
    if (obj.spec.replicas > 1) {
      const pdb = kinds('PodDisruptionBudget').find((p) => Object.entries(p.obj.spec.selector.matchLabels).every(([k, v]) => labels[k] === v));
      assert.ok(pdb, `${file} ${obj.metadata.name}: no PodDisruptionBudget selects its pods`);
    }
  }
  assert.equal(kinds('Secret').filter((d) => !d.file.includes('/examples/')).length, 0, 'no Secret is applied from the repository');
});

test('the web tier runs unprivileged and is autoscaled', () => {
  const web = kinds('Deployment').find((d) => d.obj.metadata.name === 'web')!.obj;
  const pod = web.spec.template.spec;
  assert.equal(pod.securityContext.runAsNonRoot, true);
  for (const c of pod.containers) {
    assert.notEqual(c.securityContext?.privileged, true);
    assert.equal(c.securityContext?.allowPrivilegeEscalation, false);
    assert.deepEqual(c.securityContext?.capabilities?.drop, ['ALL']);
  }
  const hpa = kinds('HorizontalPodAutoscaler').find((d) => d.obj.spec.scaleTargetRef.name === 'web');
  assert.ok(hpa && hpa.obj.spec.scaleTargetRef.kind === 'Deployment');
});

test('the Dockerfile copies only what exists and what .dockerignore lets through', () => {
  const dockerfile = readFileSync(join(ROOT, 'deploy', 'Dockerfile'), 'utf8').replace(/\\\n/g, ' ');
  const patterns = readFileSync(join(ROOT, '.dockerignore'), 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  // Docker's rule: the last pattern that matches decides; "!" lets a path back in.
  const matches = (i: string, p: string) => (i.startsWith('*') ? p.endsWith(i.slice(1)) : p === i || p.startsWith(`${i}/`));
  const isIgnored = (p: string) =>
    patterns.reduce((ignored, i) => (i.startsWith('!') ? (matches(i.slice(1), p) ? false : ignored) : matches(i, p) ? true : ignored), false);
  assert.ok(isIgnored('node_modules') && isIgnored('deploy/k8s') && !isIgnored('deploy/entrypoint.sh'), 'the .dockerignore reading');
  const copies = [...dockerfile.matchAll(/^COPY (?!--from)(.+)$/gm)].map((m) => m[1].trim().split(/\s+/).slice(0, -1));
  assert.ok(copies.length >= 5);
  for (const sources of copies) {
    for (const s of sources) {
      assert.ok(existsSync(join(ROOT, s)), `COPY ${s}: missing`);
      assert.ok(!isIgnored(s), `COPY ${s}: left out by .dockerignore`);
    }
  }
  // The server's entry point and the sandbox's set-up are where CMD and the init containers expect them.
  for (const entry of ['server/main.ts', 'server/sandbox/prepare-cli.ts']) assert.ok(existsSync(join(ROOT, entry)));
  // The image's ENTRYPOINT readies the cgroup tree: a manifest's `command` would replace it (`args` keeps it).
  assert.match(dockerfile, /^ENTRYPOINT \["\/usr\/local\/bin\/golab-entrypoint"\]$/m);
  for (const { file, obj } of [...kinds('Deployment'), ...kinds('StatefulSet')]) {
    for (const c of [...obj.spec.template.spec.containers, ...(obj.spec.template.spec.initContainers ?? [])]) {
      assert.equal(c.command, undefined, `${file} ${c.name}: use args, not command, so the entry point runs`);
    }
  }
  // The site build uses the same commands as scripts/setup.ts.
  const setup = readFileSync(join(ROOT, 'scripts', 'setup.ts'), 'utf8');
  assert.match(setup, /astro\/bin\/astro\.mjs'\), 'build', '--silent'/);
  assert.match(dockerfile, /astro\/bin\/astro\.mjs build --silent/);
});
