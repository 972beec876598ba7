// The fonts of notice PDFs (full Vietnamese glyphs): DejaVu by default, NOTICE_FONT* to use others (api/src/settings.ts
// checks at start-up that each names a readable file).
export interface NoticeFonts {
  body: string;
  bold: string;
  italic: string;
  mono: string;
}

export const DEFAULT_NOTICE_FONTS: NoticeFonts = {
  body: '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf',
  bold: '/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf',
  italic: '/usr/share/fonts/truetype/dejavu/DejaVuSans-Oblique.ttf',
  mono: '/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf',
};
