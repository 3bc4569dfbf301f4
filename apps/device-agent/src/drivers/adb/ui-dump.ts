/**
 * Reads the XML that `uiautomator dump` writes: one `<hierarchy>` of nested `<node>`
 * elements, each a view with its text, resource id, class, package, content description
 * and on-screen bounds. Only what the driver needs is kept.
 */

export interface Bounds {
  left: number;
  top: number;
  right: number;
  bottom: number;
}

export interface UiNode {
  text: string;
  resourceId: string;
  className: string;
  packageName: string;
  contentDesc: string;
  bounds: Bounds;
  parent: UiNode | undefined;
  children: UiNode[];
}

/** Every node of the dump, in document order (parents before their children). */
export type UiDump = readonly UiNode[];

// Attribute values never hold a raw `"` (the serializer escapes it), so a tag ends at the
// first `>` outside quotes.
const tagPattern = /<(\/?)([\w:-]+)((?:\s+[\w:-]+\s*=\s*"[^"]*")*)\s*(\/?)>/g;
const attributePattern = /([\w:-]+)\s*=\s*"([^"]*)"/g;
const boundsPattern = /^\[(-?\d+),(-?\d+)\]\[(-?\d+),(-?\d+)\]$/;

/** Throws when `xml` is not a UI Automator dump at all (e.g. an error message instead). */
export function parseUiDump(xml: string): UiDump {
  if (!/<hierarchy[\s>]/.test(xml)) throw new SyntaxError('not a UI Automator dump: no <hierarchy>');
  const nodes: UiNode[] = [];
  const open: UiNode[] = [];
  for (const [, closing, name, attributes = '', selfClosing] of xml.matchAll(tagPattern)) {
    if (name !== 'node') continue;
    if (closing) {
      open.pop();
      continue;
    }
    const node = toNode(readAttributes(attributes), open.at(-1));
    node.parent?.children.push(node);
    nodes.push(node);
    if (!selfClosing) open.push(node);
  }
  return nodes;
}

function readAttributes(source: string): Map<string, string> {
  const attributes = new Map<string, string>();
  for (const [, name = '', value = ''] of source.matchAll(attributePattern)) {
    attributes.set(name, decodeEntities(value));
  }
  return attributes;
}

function toNode(attributes: Map<string, string>, parent: UiNode | undefined): UiNode {
  return {
    text: attributes.get('text') ?? '',
    resourceId: attributes.get('resource-id') ?? '',
    className: attributes.get('class') ?? '',
    packageName: attributes.get('package') ?? '',
    contentDesc: attributes.get('content-desc') ?? '',
    bounds: parseBounds(attributes.get('bounds') ?? ''),
    parent,
    children: [],
  };
}

function parseBounds(value: string): Bounds {
  const match = boundsPattern.exec(value);
  if (!match) return { left: 0, top: 0, right: 0, bottom: 0 };
  const [left, top, right, bottom] = match.slice(1).map(Number) as [number, number, number, number];
  return { left, top, right, bottom };
}

const namedEntities: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/**
 * XML entities. Numeric references below 0x10000 become UTF-16 code units, so the surrogate
 * halves some Android versions write for an emoji (`&#55357;&#56832;`) join back into it.
 */
function decodeEntities(value: string): string {
  return value.replace(/&(#x[\da-f]+|#\d+|\w+);/gi, (entity, body: string) => {
    if (body[0] !== '#') return namedEntities[body] ?? entity;
    const code =
      body[1] === 'x' || body[1] === 'X' ? Number.parseInt(body.slice(2), 16) : Number(body.slice(1));
    if (!Number.isInteger(code) || code > 0x10ffff) return entity;
    return code < 0x10000 ? String.fromCharCode(code) : String.fromCodePoint(code);
  });
}

/** The point a tap on the node should hit. */
export function centre(bounds: Bounds): { x: number; y: number } {
  return {
    x: Math.floor((bounds.left + bounds.right) / 2),
    y: Math.floor((bounds.top + bounds.bottom) / 2),
  };
}

export function findById(dump: UiDump, resourceId: string): UiNode | undefined {
  return dump.find((node) => node.resourceId === resourceId);
}

/** The node and everything under it, depth first. */
export function* descendants(node: UiNode): Generator<UiNode> {
  for (const child of node.children) {
    yield child;
    yield* descendants(child);
  }
}
