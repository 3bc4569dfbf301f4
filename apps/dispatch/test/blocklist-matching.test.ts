import { describe, expect, test } from 'vitest';
import { normaliseDomain, normaliseWord } from '../src/blocklists/entries.js';
import { compileBlocklist } from '../src/blocklists/index.js';
import { startKeywordOf, stopKeywordOf } from '../src/opt-outs/keywords.js';

describe('blocked words', () => {
  const list = compileBlocklist(['casino', 'быстрый заработок', 'Виагра'], []);

  test('match ignoring case, in any script, on word boundaries', () => {
    expect(list.find('Best CASINO in town')?.entry).toBe('casino');
    expect(list.find('Лучшая ВИАГРА!')?.entry).toBe('Виагра');
    expect(list.find('виагра.')?.entry).toBe('Виагра');
    expect(list.find('Быстрый   заработок без вложений')).toEqual({
      kind: 'word',
      entry: 'быстрый заработок',
    });
    // Inside a longer word is another word.
    expect(list.find('casinos and megacasino')).toBeUndefined();
    expect(list.find('сверхвиагра')).toBeUndefined();
    expect(list.find('Your code is 1234')).toBeUndefined();
  });

  test('are stored trimmed, single-spaced, and refused when they have no letter or digit', () => {
    expect(normaliseWord('  free   money ')).toBe('free money');
    expect(() => normaliseWord('!!!')).toThrow(/not a word/);
    expect(() => normaliseWord('')).toThrow(/not a word/);
  });
});

describe('blocked domains', () => {
  const list = compileBlocklist([], ['spam.example', 'bad.рф']);

  test('match the domain and its subdomains, with or without a scheme, port or path', () => {
    for (const text of [
      'go to https://spam.example/win',
      'go to http://www.SPAM.example:8080',
      'bare spam.example/path?x=1 works too',
      'sub.deep.spam.example',
      'mail me@spam.example.',
      'кириллица: https://почта.bad.рф/',
    ]) {
      expect(list.find(text), text).toMatchObject({ kind: 'domain' });
    }
  });

  test('do not match a longer name that merely contains them', () => {
    for (const text of ['notspam.example', 'spam.example.org', 'spam-example.com', 'spam.examples']) {
      expect(list.find(text), text).toBeUndefined();
    }
  });

  test('are stored without scheme, path, port or wildcard, and refused when not a domain', () => {
    expect(normaliseDomain('https://WWW.Spam.Example:443/x?y')).toBe('www.spam.example');
    expect(normaliseDomain('*.spam.example')).toBe('spam.example');
    expect(normaliseDomain('spam.example.')).toBe('spam.example');
    expect(() => normaliseDomain('localhost')).toThrow(/not a domain/);
    expect(() => normaliseDomain('two words.com')).toThrow(/not a domain/);
  });
});

describe('stop words', () => {
  test('are the whole message, in several languages, any case, punctuation ignored', () => {
    for (const [text, keyword] of [
      ['STOP', 'STOP'],
      [' stop! ', 'STOP'],
      ['Unsubscribe', 'UNSUBSCRIBE'],
      ['стоп', 'СТОП'],
      ['Отписаться.', 'ОТПИСАТЬСЯ'],
      ['alto', 'ALTO'],
      ['arrêt', 'ARRÊT'],
      ['Arret', 'ARRET'],
      ['opt out', 'OPT OUT'],
    ]) {
      expect(stopKeywordOf(text!), text).toBe(keyword);
    }
    expect(stopKeywordOf("don't stop")).toBeUndefined();
    expect(stopKeywordOf('stopwatch')).toBeUndefined();
    expect(startKeywordOf('Start')).toBe('START');
    expect(startKeywordOf('старт')).toBe('СТАРТ');
  });
});
