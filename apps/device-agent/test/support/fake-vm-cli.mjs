#!/usr/bin/env node
// Stand-ins for the tools VM providers run — `adb`, `emulator`, `docker` and a site's own
// `vmctl` — sharing one model of the host's VMs, so a provider can be driven through a whole
// lifecycle without a VM. Each wrapper on PATH sets FAKE_VM_TOOL to its name.
//
// The model (JSON at FAKE_VM_STATE, rewritten after every command):
//   avds        AVD names `emulator -avd` accepts
//   vms         by adb serial: { running, connected (TCP ones), bootPolls, boots, installed, snapshots }
//   containers  by name: { status, port, image }
//   images      snapshot images by reference: { installed }
//   bootPolls   how many `getprop sys.boot_completed` answer empty after each boot
//   png         the file `screencap -p` answers
//   log         every invocation is appended here, one JSON line { tool, argv }
//
// Outputs follow the real tools' formats as far as the author knows them (`adb devices`,
// `adb install`'s "Success"/"Failure [...]", the emulator console's "OK"/"KO: ..."): they are
// hand-made, not recorded from a real emulator, redroid or Docker (none ran here).
import { createHash } from 'node:crypto';
import { appendFileSync, mkdirSync, readFileSync, renameSync, rmdirSync, writeFileSync } from 'node:fs';

const tool = process.env.FAKE_VM_TOOL;
const statePath = process.env.FAKE_VM_STATE;
// One command at a time changes the model (a provider runs several at once, and a detached
// `emulator` writes while adb polls): a directory is the lock, as mkdir either makes it or fails.
const lock = `${statePath}.lock`;
for (;;) {
  try {
    mkdirSync(lock);
    break;
  } catch {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 2);
  }
}
process.on('exit', () => rmdirSync(lock));
const state = JSON.parse(readFileSync(statePath, 'utf8'));
const argv = process.argv.slice(2);
appendFileSync(state.log, `${JSON.stringify({ tool, argv })}\n`);

function save() {
  writeFileSync(`${statePath}.tmp`, JSON.stringify(state));
  renameSync(`${statePath}.tmp`, statePath);
}
function out(text) {
  process.stdout.write(text);
}
function fail(text, code = 1) {
  process.stderr.write(`${text}\n`);
  save();
  process.exit(code);
}
function boot(vm) {
  vm.running = true;
  vm.boots = (vm.boots ?? 0) + 1;
  vm.bootPolls = state.bootPolls ?? 1;
}
function vmOf(serial) {
  state.vms[serial] ??= { running: false, boots: 0, bootPolls: 0, installed: [], snapshots: {} };
  return state.vms[serial];
}
const listed = (serial, vm) => vm.running && (!serial.includes(':') || vm.connected);

const tools = {
  adb() {
    if (argv[0] === 'devices') {
      const lines = Object.entries(state.vms)
        .filter(([serial, vm]) => listed(serial, vm))
        .map(([serial]) => `${serial}\tdevice\n`);
      return out(`List of devices attached\n${lines.join('')}\n`);
    }
    if (argv[0] === 'connect') {
      const [, port] = argv[1].split(':');
      const container = Object.values(state.containers).find((c) => String(c.port) === port);
      if (container?.status !== 'running') {
        return fail(`failed to connect to '${argv[1]}': Connection refused`);
      }
      vmOf(argv[1]).connected = true;
      return out(`connected to ${argv[1]}\n`);
    }
    if (argv[0] !== '-s') return fail(`fake adb: unsupported: ${argv.join(' ')}`);
    const [, serial, verb, ...rest] = argv;
    const vm = state.vms[serial];
    if (!vm || !listed(serial, vm)) return fail(`adb: device '${serial}' not found`);
    const command = [verb, ...rest].join(' ');
    if (command === 'shell getprop sys.boot_completed') {
      if (vm.bootPolls > 0) {
        vm.bootPolls -= 1;
        return out('\n');
      }
      return out('1\n');
    }
    if (command === 'reboot') return boot(vm);
    if (verb === 'install') {
      const path = rest.at(-1);
      const bytes = readFileSync(path);
      out('Performing Streamed Install\n');
      if (bytes.subarray(0, 2).toString('latin1') !== 'PK') {
        out(
          `adb: failed to install ${path}: Failure [INSTALL_PARSE_FAILED_NOT_APK: Failed to parse ${path}]\n`,
        );
        return fail('', 1);
      }
      vm.installed.push(createHash('sha256').update(bytes).digest('hex'));
      return out('Success\n');
    }
    if (command === 'exec-out screencap -p') return process.stdout.write(readFileSync(state.png));
    if (command === 'emu kill') {
      vm.running = false;
      return out('OK: killing emulator, bye bye\n');
    }
    const snapshot = /^emu avd snapshot (save|load) (\S+)$/.exec(command);
    if (snapshot) {
      const [, action, name] = snapshot;
      if (action === 'save') vm.snapshots[name] = [...vm.installed];
      else if (!vm.snapshots[name]) return out(`KO: snapshot '${name}' does not exist\n`);
      else {
        vm.installed = [...vm.snapshots[name]];
        boot(vm);
      }
      return out('OK\n');
    }
    return fail(`fake adb: unsupported: ${argv.join(' ')}`);
  },

  emulator() {
    const avd = argv[argv.indexOf('-avd') + 1];
    const port = argv[argv.indexOf('-port') + 1];
    if (!state.avds.includes(avd))
      return fail(`PANIC: Unknown AVD name [${avd}], use -list-avds to see valid list.`);
    if (!argv.includes('-no-window')) return fail('fake emulator: a farm emulator must run with -no-window');
    boot(vmOf(`emulator-${port}`));
  },

  docker() {
    const [verb, ...rest] = argv;
    const name = rest.at(-1);
    const container = state.containers[name];
    const missing = () => fail(`Error response from daemon: No such container: ${name}`);
    const serialOf = (c) => `127.0.0.1:${c.port}`;
    switch (verb) {
      case 'inspect':
        return container ? out(`${container.status}\n`) : fail(`Error: No such object: ${name}`);
      case 'run': {
        const image = name;
        const cname = rest[rest.indexOf('--name') + 1];
        const publish = rest[rest.indexOf('--publish') + 1];
        if (state.containers[cname]) {
          return fail(
            `docker: Error response from daemon: Conflict. The container name "/${cname}" is already in use.`,
            125,
          );
        }
        if (image.startsWith('wagate-snapshot/') && !state.images[image]) {
          return fail(`Unable to find image '${image}' locally`, 125);
        }
        const port = publish.split(':')[1];
        state.containers[cname] = { status: 'running', port, image };
        const vm = vmOf(`127.0.0.1:${port}`);
        vm.installed = [...(state.images[image]?.installed ?? [])];
        vm.connected = false;
        boot(vm);
        return out(`${createHash('sha256').update(cname).digest('hex')}\n`);
      }
      case 'start':
      case 'restart': {
        if (!container) return missing();
        container.status = 'running';
        const vm = vmOf(serialOf(container));
        vm.connected = false;
        boot(vm);
        return out(`${name}\n`);
      }
      case 'stop':
        if (!container) return missing();
        container.status = 'exited';
        vmOf(serialOf(container)).running = false;
        return out(`${name}\n`);
      case 'rm':
        if (!container) return missing();
        delete state.containers[name];
        delete state.vms[serialOf(container)];
        return out(`${name}\n`);
      case 'commit': {
        const [cname, image] = rest;
        const source = state.containers[cname];
        if (!source) return fail(`Error response from daemon: No such container: ${cname}`);
        state.images[image] = { installed: [...vmOf(serialOf(source)).installed] };
        return out(`sha256:${createHash('sha256').update(image).digest('hex')}\n`);
      }
      case 'image':
        if (rest[0] === 'inspect') {
          return state.images[name]
            ? out(`sha256:${createHash('sha256').update(name).digest('hex')}\n`)
            : fail(`Error: No such image: ${name}`);
        }
        break;
    }
    return fail(`fake docker: unsupported: ${argv.join(' ')}`);
  },

  // A site's own VM tool, as the `command` provider would be configured to call it.
  vmctl() {
    const [action, serial, snapshot] = argv;
    const vm = vmOf(serial);
    if (action === 'restart' || action === 'start') return boot(vm);
    if (action === 'stop') {
      vm.running = false;
      return;
    }
    if (action === 'save') {
      vm.snapshots[snapshot] = [...vm.installed];
      return;
    }
    if (action === 'restore') {
      if (!vm.snapshots[snapshot]) return fail(`vmctl: no snapshot ${snapshot}`, 2);
      vm.installed = [...vm.snapshots[snapshot]];
      return boot(vm);
    }
    return fail(`vmctl: unknown action ${action}`, 64);
  },
};

if (!tools[tool]) fail(`fake-vm-cli: unknown tool ${tool}`);
tools[tool]();
save();
