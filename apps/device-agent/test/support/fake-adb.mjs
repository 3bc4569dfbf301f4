#!/usr/bin/env node
// A stand-in for `adb` in tests: answers `adb -s <serial> shell '<command>'` from a scenario
// and logs every invocation, so a test can run the adb driver without a device and assert
// the exact commands it gave.
//
//   FAKE_ADB_SCENARIO=/tmp/x/scenario.json fake-adb.mjs -s emulator-5554 shell 'dumpsys battery'
//
// The scenario (JSON):
//   fixtures   directory the file names below are relative to
//   log        file every invocation is appended to, one JSON line each
//   screens    the screens the phone shows, in order: each `uiautomator dump` takes the next,
//              the last one stays
//   rules      [{ when, tap?, screens?, showText?, file?, stdout?, stderr?, exitCode?, delayMs? }]:
//              the first rule whose `when` occurs in the command (its words joined by spaces)
//              answers it; `tap` (a resource id) further requires an `input tap` inside that
//              view on the screen last dumped; `screens` replaces the screens to come;
//              `showText` is what `{{text}}` shows from now on, whatever the link said.
// `adb -s <serial> push <local> <remote>` is logged with the pushed file's size and SHA-256
// (`pushed`), so a test can check what reached the phone; a missing local file fails it.
// Built in: `uiautomator dump <path>` and `cat <path>` (the last dump written there); `{{text}}`
// in a dumped screen becomes the text of the last chat link opened, as WhatsApp fills its input.
// Unquoted shell metacharacters in a command fail it, as they would break on a real device.
// State between invocations (which screen is next) lives in <scenario>.state.json.
import { createHash } from 'node:crypto';
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';

const scenarioPath = process.env.FAKE_ADB_SCENARIO;
if (!scenarioPath) fail('FAKE_ADB_SCENARIO is not set', 1);
const scenario = JSON.parse(readFileSync(scenarioPath, 'utf8'));
const statePath = `${scenarioPath}.state.json`;

const argv = process.argv.slice(2);
let serial;
if (argv[0] === '-s') {
  serial = argv[1];
  argv.splice(0, 2);
}
const [verb, ...rest] = argv;
const entry = { serial, argv: process.argv.slice(2) };

if (verb === 'push') {
  const [local, remote] = rest;
  if (!existsSync(local)) {
    log(entry);
    fail(`adb: error: cannot stat '${local}': No such file or directory`, 1);
  }
  const bytes = readFileSync(local);
  log({
    ...entry,
    pushed: { local, remote, bytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') },
  });
  process.stdout.write(`${local}: 1 file pushed, 0 skipped.\n`);
  process.exit(0);
}

if (verb !== 'shell') {
  log(entry);
  fail(`fake adb: unsupported command: ${argv.join(' ')}`, 1);
}

let words;
try {
  words = splitShellWords(rest.join(' '));
} catch (error) {
  log({ ...entry, error: error.message });
  fail(`/system/bin/sh: ${error.message}`, 2);
}
log({ ...entry, shell: words });
await answer(words);

async function answer(words) {
  const command = words.join(' ');
  const state = loadState();
  for (const rule of scenario.rules ?? []) {
    if (!command.includes(rule.when)) continue;
    if (rule.tap && !tapsOn(words, rule.tap, state)) continue;
    if (rule.delayMs) await new Promise((done) => setTimeout(done, rule.delayMs));
    // Saved only when changed: reads run in parallel with the UI commands that change it.
    const linked = rememberChatText(words, state);
    if (rule.screens || rule.showText !== undefined || linked) {
      if (rule.screens) {
        state.screens = rule.screens;
        state.next = 0;
      }
      if (rule.showText !== undefined) state.chatText = rule.showText;
      saveState(state);
    }
    if (rule.file) process.stdout.write(readFileSync(resolve(scenario.fixtures, rule.file), 'utf8'));
    if (rule.stdout) process.stdout.write(rule.stdout);
    if (rule.stderr) process.stderr.write(rule.stderr);
    process.exitCode = rule.exitCode ?? 0;
    return;
  }
  if (words[0] === 'uiautomator' && words[1] === 'dump') {
    const path = words[2] ?? '/sdcard/window_dump.xml';
    const screens = state.screens ?? scenario.screens ?? [];
    const screen = screens[Math.min(state.next ?? 0, screens.length - 1)];
    state.next = (state.next ?? 0) + 1;
    state.files = { ...state.files, [path]: screen };
    state.lastDump = screen;
    saveState(state);
    process.stdout.write(`UI hierchary dumped to: ${path}\n`);
    return;
  }
  if (words[0] === 'cat') {
    const screen = state.files?.[words[1]];
    if (!screen) fail(`cat: ${words[1]}: No such file or directory`, 1);
    process.stdout.write(render(screen, state));
    return;
  }
  if (words[0] === 'am' && words[1] === 'start') {
    if (rememberChatText(words, state)) saveState(state);
    process.stdout.write(`Starting: Intent { act=${words[words.indexOf('-a') + 1]} }\n`);
  }
}

function render(screen, state) {
  const xml = readFileSync(resolve(scenario.fixtures, screen), 'utf8');
  return xml.replaceAll('{{text}}', escapeXml(state.chatText ?? ''));
}

/** As Android's serializer writes an attribute value. */
function escapeXml(text) {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll('\n', '&#10;');
}

/** Keeps the text of a chat link being opened; says whether there was one. */
function rememberChatText(words, state) {
  if (words[0] !== 'am' || words[1] !== 'start' || !words.includes('-d')) return false;
  const text = new URL(words[words.indexOf('-d') + 1]).searchParams.get('text');
  if (text === null) return false;
  state.chatText = text;
  return true;
}

/** Whether `input tap x y` lands inside a view with `resourceId` on the screen last dumped. */
function tapsOn(words, resourceId, state) {
  if (words[0] !== 'input' || words[1] !== 'tap') return false;
  const [x, y] = [Number(words[2]), Number(words[3])];
  if (!state.lastDump) return false;
  const xml = render(state.lastDump, state);
  for (const [, attributes] of xml.matchAll(/<node ([^>]*)>/g)) {
    if (!attributes.includes(`resource-id="${resourceId}"`)) continue;
    const bounds = /bounds="\[(\d+),(\d+)\]\[(\d+),(\d+)\]"/.exec(attributes);
    if (!bounds) continue;
    const [left, top, right, bottom] = bounds.slice(1).map(Number);
    if (x >= left && x < right && y >= top && y < bottom) return true;
  }
  return false;
}

/**
 * Splits a command line the way sh does for plain words and quotes, and refuses what a real
 * shell would treat specially (so a driver that forgets to quote fails here, not on a phone).
 */
function splitShellWords(line) {
  const words = [];
  let word = '';
  let inWord = false;
  for (let i = 0; i < line.length; i += 1) {
    const char = line[i];
    if (char === "'") {
      const end = line.indexOf("'", i + 1);
      if (end < 0) throw new Error('unterminated single quote');
      word += line.slice(i + 1, end);
      inWord = true;
      i = end;
    } else if (char === '"') {
      i += 1;
      for (; i < line.length && line[i] !== '"'; i += 1) {
        if (line[i] === '$' || line[i] === '`') throw new Error(`expansion inside double quotes: ${line[i]}`);
        if (line[i] === '\\' && '$`"\\\n'.includes(line[i + 1])) i += 1;
        word += line[i];
      }
      if (i >= line.length) throw new Error('unterminated double quote');
      inWord = true;
    } else if (char === '\\') {
      word += line[i + 1] ?? '';
      inWord = true;
      i += 1;
    } else if (char === ' ' || char === '\t') {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else if ('\n|&;<>()$`*?[]#~{}'.includes(char)) {
      throw new Error(`unquoted shell metacharacter ${JSON.stringify(char)}`);
    } else {
      word += char;
      inWord = true;
    }
  }
  if (inWord) words.push(word);
  return words;
}

function loadState() {
  return existsSync(statePath) ? JSON.parse(readFileSync(statePath, 'utf8')) : {};
}

function saveState(state) {
  writeFileSync(statePath, JSON.stringify(state));
}

function log(line) {
  if (scenario.log) appendFileSync(scenario.log, `${JSON.stringify(line)}\n`);
}

function fail(message, code) {
  process.stderr.write(`${message}\n`);
  process.exit(code);
}
