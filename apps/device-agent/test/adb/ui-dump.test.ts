import { describe, expect, test } from 'vitest';
import { centre, findById, parseUiDump } from '../../src/drivers/adb/ui-dump.js';
import { fixture } from '../support/fixtures.js';

describe('parseUiDump', () => {
  test("reads a chat screen's views with their ids, texts and bounds", () => {
    const dump = parseUiDump(fixture('ui-chat-ready.xml').replace('{{text}}', 'Hello!'));
    const entry = findById(dump, 'com.whatsapp:id/entry');
    const send = findById(dump, 'com.whatsapp:id/send');
    expect(entry).toMatchObject({
      text: 'Hello!',
      className: 'android.widget.EditText',
      packageName: 'com.whatsapp',
    });
    expect(send).toMatchObject({
      contentDesc: 'Send',
      bounds: { left: 954, top: 2171, right: 1059, bottom: 2276 },
    });
    expect(centre(send!.bounds)).toEqual({ x: 1006, y: 2223 });
  });

  test('keeps the hierarchy: parents know their children and children their parent', () => {
    const dump = parseUiDump(fixture('ui-chat-ready.xml'));
    const root = dump[0]!;
    expect(root.parent).toBeUndefined();
    expect(root.bounds).toEqual({ left: 0, top: 0, right: 1080, bottom: 2400 });
    for (const node of dump.slice(1)) expect(node.parent?.children).toContain(node);
  });

  test('reads a dump as uiautomator writes it: one line, no whitespace between elements', () => {
    const xml = fixture('ui-home.xml');
    expect(xml.trim().split('\n')).toHaveLength(1);
    const dump = parseUiDump(xml);
    expect(dump.every((node) => node.packageName === 'com.android.launcher3')).toBe(true);
    expect(dump.filter((node) => node.text === 'WhatsApp')).toHaveLength(1);
  });

  test('decodes entities, including an emoji written as two surrogate references', () => {
    const xml =
      "<?xml version='1.0' encoding='UTF-8' standalone='yes' ?><hierarchy rotation=\"0\">" +
      '<node index="0" text="a &amp; b &lt;c&gt; &quot;d&quot; &apos;e&apos;&#10;f &#55357;&#56898; &#x1F44D; &bogus;" ' +
      'resource-id="x:id/t" class="android.widget.TextView" package="x" content-desc="" bounds="[0,0][10,10]" />' +
      '</hierarchy>';
    expect(parseUiDump(xml)[0]!.text).toBe('a & b <c> "d" \'e\'\nf 🙂 👍 &bogus;');
  });

  test('refuses output that is no dump, e.g. the error uiautomator prints instead', () => {
    expect(() => parseUiDump('ERROR: null root node returned by UiTestAutomationBridge.\n')).toThrow(
      SyntaxError,
    );
  });
});
