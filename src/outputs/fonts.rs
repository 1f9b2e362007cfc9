//! The Thai font every printed output uses: Sarabun (OFL-1.1, `assets/fonts/OFL.txt`), from npm
//! `@expo-google-fonts/sarabun` 0.4.1, the package that ships TrueType files (the web pages'
//! `@fontsource/sarabun` has only WOFF2, which PDF cannot embed).

pub static SARABUN_REGULAR: &[u8] = include_bytes!("../../assets/fonts/Sarabun-Regular.ttf");
pub static SARABUN_BOLD: &[u8] = include_bytes!("../../assets/fonts/Sarabun-Bold.ttf");

/// Lines of Thai shaped by HarfBuzz's rules (rustybuzz): marks stack over and under their
/// consonant as in print (ที่, ผู้ใหญ่, ปั้น, น้ำ), which plain glyph-by-glyph drawing gets wrong.
pub struct ShapedLine {
    /// Per glyph: (glyph id, x advance, x offset, y offset, byte where its cluster starts), in
    /// font units.
    pub glyphs: Vec<ShapedGlyph>,
    /// The line's width in font units.
    pub width: i32,
}

#[derive(Debug, Clone, Copy)]
pub struct ShapedGlyph {
    pub id: u16,
    pub x_advance: i32,
    pub x_offset: i32,
    pub y_offset: i32,
    pub cluster: usize,
}

pub fn shape(face: &rustybuzz::Face<'_>, text: &str) -> ShapedLine {
    let mut buffer = rustybuzz::UnicodeBuffer::new();
    buffer.push_str(text);
    let run = rustybuzz::shape(face, &[], buffer);
    let glyphs: Vec<ShapedGlyph> = run
        .glyph_infos()
        .iter()
        .zip(run.glyph_positions())
        .map(|(info, pos)| ShapedGlyph {
            // Glyph ids of a TrueType font fit 16 bits.
            id: info.glyph_id as u16,
            x_advance: pos.x_advance,
            x_offset: pos.x_offset,
            y_offset: pos.y_offset,
            cluster: info.cluster as usize,
        })
        .collect();
    let width = glyphs.iter().map(|g| g.x_advance).sum();
    ShapedLine { glyphs, width }
}
