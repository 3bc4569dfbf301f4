import type { TemplateContent } from './gen/wagate/templates/v1/templates.js';

/**
 * A template revision's content as plain JSON — how templates stores it and how `/v1` shows it
 * — mapped to and from its gRPC form here, once, for both sides of the call.
 */
export interface TemplateContentJson {
  body: string;
  header?: { format: 'text'; text: string } | { format: 'media'; mediaUrl: string; mediaType: string };
  footer?: string;
  buttons?: Array<
    | { type: 'quick_reply'; text: string }
    | { type: 'url'; text: string; url: string }
    | { type: 'phone'; text: string; phoneNumber: string }
  >;
}

/** Limits of rendering, part of the contract (the api documents them): beyond them a send fails with 2311. */
export const templateRenderLimits = {
  /** Characters (code points) of one parameter value. */
  maxParamLength: 256,
  /** Characters of the body once its parameters are filled in (WhatsApp's template body limit). */
  maxRenderedBodyLength: 1024,
} as const;

export function templateContentToProto(content: TemplateContentJson): TemplateContent {
  const { header } = content;
  return {
    body: content.body,
    ...(header
      ? {
          header:
            header.format === 'text'
              ? { format: 'text', text: header.text, mediaUrl: '', mediaType: '' }
              : { format: 'media', text: '', mediaUrl: header.mediaUrl, mediaType: header.mediaType },
        }
      : {}),
    ...(content.footer !== undefined ? { footer: content.footer } : {}),
    buttons: (content.buttons ?? []).map((button) => ({
      type: button.type,
      text: button.text,
      url: button.type === 'url' ? button.url : '',
      phoneNumber: button.type === 'phone' ? button.phoneNumber : '',
    })),
  };
}

/**
 * The gRPC form read back as JSON, taking fields as they are: an unknown header format or
 * button type reads as text / quick reply. Templates checks what it accepts before storing.
 */
export function templateContentFromProto(content: TemplateContent): TemplateContentJson {
  const { header } = content;
  return {
    body: content.body,
    ...(header
      ? {
          header:
            header.format === 'media'
              ? { format: 'media', mediaUrl: header.mediaUrl, mediaType: header.mediaType }
              : { format: 'text', text: header.text },
        }
      : {}),
    ...(content.footer ? { footer: content.footer } : {}),
    ...(content.buttons.length > 0
      ? {
          buttons: content.buttons.map((button) => {
            if (button.type === 'url') return { type: 'url' as const, text: button.text, url: button.url };
            if (button.type === 'phone') {
              return { type: 'phone' as const, text: button.text, phoneNumber: button.phoneNumber };
            }
            return { type: 'quick_reply' as const, text: button.text };
          }),
        }
      : {}),
  };
}
