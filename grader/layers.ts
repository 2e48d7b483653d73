/**
 * The layers around the sandbox process, found once per grading process: which the machine offers,
 * and the command that starts the sandbox inside all of them.
 *
 *   prlimit --cpu=<s>:<s+1> --                 the kernel ends it after <s> s of CPU time (RLIMIT_CPU)
 *   unshare -n --                              a network namespace of its own: no interface but a down loopback
 *   setpriv --reuid=65534 --regid=65534 …  --  nobody, when the grader runs as root
 *   node --experimental-permission --allow-fs-read=<host.mjs>,<isolated-vm> --allow-addons host.mjs
 *
 * Each wrapper executes the next in its own place, so the process started is the sandbox itself,
 * and the grading process watches it directly (supervisor.ts: the wall-clock limit, its end).
 *
 * Every layer is probed by starting the whole chain on a probe (host.mjs --probe: load
 * isolated-vm, run 1 + 1 in an isolate); a layer the machine refuses is dropped and the reason
 * noted. The isolate itself is never optional: without isolated-vm there is no grading.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { accessSync, constants, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Layers } from './plan.ts';
import { sharedFolder } from './shared-folder.ts';

export interface SandboxCommandLimits {
  /** CPU time of the whole sandbox process, seconds. */
  totalCpuSeconds: number;
  /** The host's own heap (copies of arguments and results), MB. */
  hostHeapMb: number;
}

/** The directory of the installed isolated-vm package. */
export function isolatedVmDir(root: string): string {
  return dirname(createRequire(`${root}/package.json`).resolve('isolated-vm/package.json'));
}

/** The files of isolated-vm the sandbox loads (its `main` and the addon). */
const IVM_FILES = ['package.json', 'isolated-vm.js', 'out/isolated_vm.node'];

/** Whether a user who is neither owner nor group can read `dir`'s isolated-vm files: every folder above searchable, the files readable. */
function othersCanRead(dir: string): boolean {
  for (let d = dir; ; d = dirname(d)) {
    if ((statSync(d).mode & 0o001) === 0) return false;
    if (d === dirname(d)) break;
  }
  return IVM_FILES.every((file) => (statSync(join(dir, file)).mode & 0o004) !== 0);
}

/**
 * The isolated-vm the sandbox loads. As root the sandbox runs as nobody, who cannot enter a kit
 * cloned into a folder only its owner may enter (`mktemp -d` makes them 0700, so do many homes):
 * then the package's files are copied into a folder anyone may read, named after the addon's path,
 * size and time, so that every grading process of one installation shares one copy (a process that
 * is killed leaves nothing new behind).
 */
function sandboxIvmDir(root: string): string {
  const dir = isolatedVmDir(root);
  if (!isRoot || othersCanRead(dir)) return dir;
  const addon = statSync(join(dir, 'out/isolated_vm.node'));
  const key = createHash('sha256').update(`${dir}\0${addon.size}\0${addon.mtimeMs}`).digest('hex').slice(0, 16);
  const copy = sharedFolder(`gradlab-ivm-${key}`, Object.fromEntries(IVM_FILES.map((file) => [file, readFileSync(join(dir, file))])));
  if (copy === null) throw new Error(`the grader will not load isolated-vm from ${join(tmpdir(), `gradlab-ivm-${key}`)}: it was not made by this user, or others can change it (remove it)`);
  return copy;
}

function findTool(name: string): string | null {
  for (const dir of ['/usr/bin', '/bin', '/usr/local/bin', '/usr/sbin', '/sbin']) {
    try {
      accessSync(`${dir}/${name}`, constants.X_OK);
      return `${dir}/${name}`;
    } catch {
      /* not here */
    }
  }
  return null;
}

interface Chain {
  cpu: boolean;
  network: boolean;
  user: boolean;
  permission: boolean;
}

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

function command(chain: Chain, hostFile: string, ivmDir: string, limits: SandboxCommandLimits): string[] {
  const out: string[] = [];
  if (chain.cpu) out.push(findTool('prlimit')!, `--cpu=${Math.ceil(limits.totalCpuSeconds)}:${Math.ceil(limits.totalCpuSeconds) + 1}`, '--');
  if (chain.network) out.push(findTool('unshare')!, ...(isRoot ? ['-n'] : ['-r', '-n']), '--');
  if (chain.user) out.push(findTool('setpriv')!, '--reuid=65534', '--regid=65534', '--clear-groups', '--no-new-privs', '--');
  out.push(process.execPath);
  if (chain.permission) out.push('--experimental-permission', `--allow-fs-read=${hostFile}`, `--allow-fs-read=${ivmDir}`, '--allow-addons', '--no-warnings');
  // No V8 helper threads (concurrent compilation and garbage collection): the sandbox's work is
  // the same, minus their coordination; `npm run bench:batch` grades on every core, where that
  // coordination is what it costs: 15–20 % of the sandbox's CPU time (2.2 s → 1.8 s a complete
  // submission of the reference: four gradings in one grader, twice with and twice without), with
  // no change in wall time.
  out.push('--single-threaded');
  out.push(`--max-old-space-size=${limits.hostHeapMb}`, hostFile, ivmDir);
  return out;
}

function probe(argv: string[]): string | null {
  const [cmd, ...args] = argv;
  const result = spawnSync(cmd!, [...args, '--probe'], { env: {}, encoding: 'utf8', timeout: 20_000 });
  if (result.status === 0 && result.stdout.trim() === 'ok') return null;
  return (result.stderr || result.error?.message || `exit ${result.status}`).trim().split('\n').slice(-1)[0]!.slice(0, 200);
}

let found: { key: string; layers: Layers; chain: Chain } | null = null;

/**
 * The layers this machine offers for `hostFile`, and the command that starts the sandbox in them.
 * Probed on first use (about 0.1–0.3 s); later calls reuse what was found.
 */
export function sandboxCommand(root: string, hostFile: string, limits: SandboxCommandLimits): { command: string[]; layers: Layers } {
  const ivmDir = sandboxIvmDir(root);
  const key = `${hostFile}\0${ivmDir}`;
  if (found?.key !== key) {
    const notes: string[] = [];
    const chain: Chain = {
      cpu: findTool('prlimit') !== null,
      network: findTool('unshare') !== null,
      user: isRoot && findTool('setpriv') !== null,
      permission: process.allowedNodeEnvironmentFlags.has('--experimental-permission'),
    };
    if (!chain.cpu) notes.push('CPU limit: util-linux prlimit not found');
    if (!chain.network) notes.push('network namespace: util-linux unshare not found');
    if (!isRoot) notes.push('unprivileged user: the grader does not run as root, so the sandbox already runs as the grader’s own user');
    else if (!chain.user) notes.push('unprivileged user: util-linux setpriv not found');
    if (!chain.permission) notes.push("permission model: this Node.js has no --experimental-permission");
    // Drop layers, most fragile first, until the probe runs.
    // (Each probe starts a process: about 0.15 s of CPU. On a machine with every layer, one.)
    let failure = probe(command(chain, hostFile, ivmDir, limits));
    for (const layer of ['user', 'network', 'permission', 'cpu'] as const) {
      if (failure === null) break;
      if (!chain[layer]) continue;
      chain[layer] = false;
      notes.push(`${{ user: 'unprivileged user', network: 'network namespace', permission: 'permission model', cpu: 'CPU limit' }[layer]}: refused here (${failure})`);
      failure = probe(command(chain, hostFile, ivmDir, limits));
    }
    if (failure !== null) throw new Error(`the sandbox cannot start on this machine, even without OS layers: ${failure}`);
    found = {
      key,
      chain,
      layers: { isolate: true, permissionModel: chain.permission, unprivilegedUser: chain.user, noNetwork: chain.network, cpuLimit: chain.cpu, wallLimit: true, notes },
    };
  }
  return { command: command(found.chain, hostFile, ivmDir, limits), layers: found.layers };
}
