//! A register (or any list the regulation asks for: to keep, lend, hand over, destroy) as a printed
//! form: A4 landscape, the title and office on every page, the header row repeated, Thai wrapped
//! at word boundaries, a row kept whole on one page unless it is taller than a page, and
//! `หน้า n / N` with the time of printing at the foot of every page. One engine for every form.
//!
//! Text is shaped once per cell (rustybuzz, the shaper krilla embeds with), broken where ICU's
//! Thai dictionary allows (not its LSTM model, which splits names such as อุบลราชธานี), and drawn
//! with the very glyphs that were measured. Two passes: lay out and paginate (which gives N),
//! then draw.

use std::ops::Range;

use icu_segmenter::LineSegmenter;
use icu_segmenter::options::LineBreakOptions;
use krilla::Document;
use krilla::color::rgb;
use krilla::geom::{PathBuilder, Point, Rect};
use krilla::page::PageSettings;
use krilla::paint::{Fill, Stroke};
use krilla::surface::Surface;
use krilla::text::{Font, GlyphId, KrillaGlyph};

use super::fonts::{self, SARABUN_BOLD, SARABUN_REGULAR};
use crate::domain::forms::{Cell, RegisterSheet};
use crate::domain::thai_date;

#[derive(Debug, thiserror::Error)]
pub enum TablePdfError {
    #[error("ฟอนต์ที่ฝังในโปรแกรมเสียหาย")]
    Font,
    #[error("สร้างไฟล์ PDF ไม่ได้: {0}")]
    Pdf(String),
}

/// What the foot of each page and the line under the title say.
#[derive(Debug, Clone)]
pub struct PrintInfo {
    /// `ตั้งแต่ 1 ม.ค. 2569 ถึง 31 มี.ค. 2569`, or empty for the whole year.
    pub period: String,
    /// `3 ธ.ค. 2569 10:40 น.`
    pub printed_at: String,
}

const PAGE_W: f32 = 841.89;
const PAGE_H: f32 = 595.28;
const MARGIN: f32 = 28.0;
const BODY_SIZE: f32 = 10.0;
const TITLE_SIZE: f32 = 15.0;
const SMALL_SIZE: f32 = 9.0;
const PAD: f32 = 3.0;
const LEAD: f32 = BODY_SIZE * 1.45;
/// Where the table may start (below title and office) and must end (above the foot).
const TABLE_TOP: f32 = MARGIN + 46.0;
const TABLE_BOTTOM: f32 = PAGE_H - MARGIN - 16.0;

/// One line of a cell: glyphs and the part of the cell's text they show.
struct Line {
    glyphs: Vec<KrillaGlyph>,
    width: f32,
}

struct CellLayout {
    text: String,
    lines: Vec<Line>,
    right_aligned: bool,
}

struct RowLayout {
    cells: Vec<CellLayout>,
}

impl RowLayout {
    fn line_count(&self) -> usize {
        self.cells
            .iter()
            .map(|c| c.lines.len())
            .max()
            .unwrap_or(1)
            .max(1)
    }
}

/// A piece of a row on one page: the row and which of its lines.
struct Placed {
    row: usize,
    lines: Range<usize>,
}

fn row_height(lines: usize) -> f32 {
    lines.max(1) as f32 * LEAD + 2.0 * PAD
}

struct Typesetter<'a> {
    face: rustybuzz::Face<'a>,
    segmenter: icu_segmenter::LineSegmenterBorrowed<'static>,
    upem: f32,
}

impl<'a> Typesetter<'a> {
    fn new(font: &'a [u8]) -> Result<Self, TablePdfError> {
        let face = rustybuzz::Face::from_slice(font, 0).ok_or(TablePdfError::Font)?;
        let upem = face.units_per_em() as f32;
        Ok(Typesetter {
            face,
            segmenter: LineSegmenter::new_dictionary(LineBreakOptions::default()),
            upem,
        })
    }

    /// `text` in lines no wider than `width` points at `size`.
    fn wrap(&self, text: &str, size: f32, width: f32) -> Vec<Line> {
        if text.is_empty() {
            return Vec::new();
        }
        let shaped = fonts::shape(&self.face, text);
        let glyphs = &shaped.glyphs;
        let em = |units: i32| units as f32 / self.upem;
        // Each glyph's text: from its cluster to the next cluster (left to right).
        let mut ends = vec![text.len(); glyphs.len()];
        for i in (0..glyphs.len()).rev() {
            let next = glyphs[i + 1..]
                .iter()
                .map(|g| g.cluster)
                .find(|&c| c > glyphs[i].cluster);
            ends[i] = next.unwrap_or(text.len());
        }
        let krilla: Vec<KrillaGlyph> = glyphs
            .iter()
            .zip(&ends)
            .map(|(g, &end)| KrillaGlyph {
                glyph_id: GlyphId::new(u32::from(g.id)),
                text_range: g.cluster..end,
                x_advance: em(g.x_advance),
                x_offset: em(g.x_offset),
                y_offset: em(g.y_offset),
                y_advance: 0.0,
                location: None,
            })
            .collect();
        let advance =
            |r: Range<usize>| -> f32 { krilla[r].iter().map(|g| g.x_advance).sum::<f32>() * size };
        let is_space = |i: usize| {
            text[glyphs[i].cluster..ends[i]]
                .chars()
                .all(char::is_whitespace)
        };

        // Segments between break opportunities, as glyph ranges.
        let mut segments: Vec<Range<usize>> = Vec::new();
        let mut start = 0;
        for brk in self.segmenter.segment_str(text).filter(|&b| b > 0) {
            let end = glyphs[start..]
                .iter()
                .position(|g| g.cluster >= brk)
                .map_or(glyphs.len(), |p| start + p);
            if end > start {
                segments.push(start..end);
                start = end;
            }
        }
        if start < glyphs.len() {
            segments.push(start..glyphs.len());
        }

        let mut lines: Vec<Range<usize>> = Vec::new();
        let mut current: Option<Range<usize>> = None;
        for segment in segments {
            if let Some(line) = &current {
                // Trailing spaces do not count against the width.
                let mut visible = segment.end;
                while visible > segment.start && is_space(visible - 1) {
                    visible -= 1;
                }
                if advance(line.start..visible) <= width {
                    current = Some(line.start..segment.end);
                    continue;
                }
                lines.push(line.clone());
            }
            if advance(segment.clone()) <= width {
                current = Some(segment);
                continue;
            }
            // A word wider than the column: cut it between clusters.
            let mut piece = segment.start;
            for i in segment.clone() {
                let new_cluster = i > piece && glyphs[i].cluster != glyphs[i - 1].cluster;
                if new_cluster && advance(piece..i + 1) > width {
                    lines.push(piece..i);
                    piece = i;
                }
            }
            current = Some(piece..segment.end);
        }
        if let Some(line) = current {
            lines.push(line);
        }
        lines
            .into_iter()
            .map(|r| {
                let mut end = r.end;
                while end > r.start && is_space(end - 1) {
                    end -= 1;
                }
                Line {
                    width: advance(r.start..end),
                    glyphs: krilla[r.start..end].to_vec(),
                }
            })
            .collect()
    }
}

fn cell_text(cell: &Cell) -> (String, bool) {
    match cell {
        Cell::Text(t) => (t.split_whitespace().collect::<Vec<_>>().join(" "), false),
        Cell::Number(n) => (n.to_string(), true),
        Cell::Date(d) => (thai_date::format_short(*d), false),
        Cell::DateTime(at) => (
            format!(
                "{} {}",
                thai_date::format_short(at.date()),
                at.format("%H.%M น.")
            ),
            false,
        ),
    }
}

/// Column left edges and widths across the printable width, in proportion to the form's widths.
fn column_edges(sheet: &RegisterSheet) -> Vec<(f32, f32)> {
    let total: f64 = sheet.columns.iter().map(|c| c.width).sum();
    let usable = PAGE_W - 2.0 * MARGIN;
    let mut x = MARGIN;
    sheet
        .columns
        .iter()
        .map(|c| {
            let w = (c.width / total) as f32 * usable;
            let edge = (x, w);
            x += w;
            edge
        })
        .collect()
}

/// Splits rows over pages: a row moves whole to the next page when it does not fit, and only a
/// row taller than a whole page is cut, between lines.
fn paginate(line_counts: &[usize], header_height: f32) -> Vec<Vec<Placed>> {
    let room = TABLE_BOTTOM - TABLE_TOP - header_height;
    let lines_per_page = (((room - 2.0 * PAD) / LEAD).floor() as usize).max(1);
    let mut pages: Vec<Vec<Placed>> = vec![Vec::new()];
    let mut used = 0.0;
    for (i, &n) in line_counts.iter().enumerate() {
        let h = row_height(n);
        if used + h > room && used > 0.0 {
            pages.push(Vec::new());
            used = 0.0;
        }
        if h <= room {
            if let Some(page) = pages.last_mut() {
                page.push(Placed {
                    row: i,
                    lines: 0..n,
                });
            }
            used += h;
            continue;
        }
        let mut from = 0;
        while from < n {
            let to = (from + lines_per_page).min(n);
            if used > 0.0 {
                pages.push(Vec::new());
            }
            if let Some(page) = pages.last_mut() {
                page.push(Placed {
                    row: i,
                    lines: from..to,
                });
            }
            used = row_height(to - from);
            from = to;
        }
    }
    pages
}

/// The sheet as a PDF.
pub fn render(sheet: &RegisterSheet, info: &PrintInfo) -> Result<Vec<u8>, TablePdfError> {
    let regular = Typesetter::new(SARABUN_REGULAR)?;
    let bold = Typesetter::new(SARABUN_BOLD)?;
    let font = Font::new(krilla::Data::from(SARABUN_REGULAR), 0).ok_or(TablePdfError::Font)?;
    let bold_font = Font::new(krilla::Data::from(SARABUN_BOLD), 0).ok_or(TablePdfError::Font)?;
    let edges = column_edges(sheet);
    let inner = |w: f32| (w - 2.0 * PAD).max(1.0);

    let header = RowLayout {
        cells: sheet
            .columns
            .iter()
            .zip(&edges)
            .map(|(c, (_, w))| CellLayout {
                text: c.title.to_string(),
                lines: bold.wrap(c.title, BODY_SIZE, inner(*w)),
                right_aligned: false,
            })
            .collect(),
    };
    let header_height = row_height(header.line_count());
    // A row's layout (its shaped glyphs) is made twice, once to count its lines for the page
    // breaks and once when its page is drawn, so only one page's layouts are ever held: all of a
    // 10 000-row year at once took over 100 MB.
    let lay_out = |cells: &[Cell]| RowLayout {
        cells: cells
            .iter()
            .zip(&edges)
            .map(|(cell, (_, w))| {
                let (text, right_aligned) = cell_text(cell);
                let lines = regular.wrap(&text, BODY_SIZE, inner(*w));
                CellLayout {
                    text,
                    lines,
                    right_aligned,
                }
            })
            .collect(),
    };
    let line_counts: Vec<usize> = sheet
        .rows
        .iter()
        .map(|cells| lay_out(cells).line_count())
        .collect();
    let pages = paginate(&line_counts, header_height);
    let total = pages.len();

    let title = sheet.title.clone();
    let subtitle = [
        sheet.office.clone(),
        format!("ปี พ.ศ. {}", sheet.year_be),
        info.period.clone(),
    ]
    .into_iter()
    .filter(|s| !s.is_empty())
    .collect::<Vec<_>>()
    .join("  ");

    let mut document = Document::new();
    let settings = PageSettings::from_wh(PAGE_W, PAGE_H).ok_or(TablePdfError::Font)?;
    for (n, placed) in pages.iter().enumerate() {
        let mut page = document.start_page_with(settings.clone());
        let mut surface = page.surface();
        let text =
            |s: &mut Surface, set: &Typesetter, f: &Font, t: &str, size: f32, x: Anchor, y: f32| {
                let lines = set.wrap(t, size, PAGE_W);
                if let Some(line) = lines.first() {
                    let left = match x {
                        Anchor::Left(l) => l,
                        Anchor::Centre(c) => c - line.width / 2.0,
                        Anchor::Right(r) => r - line.width,
                    };
                    s.draw_glyphs(
                        Point::from_xy(left, y),
                        &line.glyphs,
                        f.clone(),
                        t,
                        size,
                        false,
                    );
                }
            };
        surface.set_fill(Some(black()));
        text(
            &mut surface,
            &bold,
            &bold_font,
            &title,
            TITLE_SIZE,
            Anchor::Centre(PAGE_W / 2.0),
            MARGIN + TITLE_SIZE,
        );
        if !sheet.form.is_empty() {
            text(
                &mut surface,
                &regular,
                &font,
                sheet.form,
                SMALL_SIZE,
                Anchor::Right(PAGE_W - MARGIN),
                MARGIN + SMALL_SIZE,
            );
        }
        text(
            &mut surface,
            &regular,
            &font,
            &subtitle,
            BODY_SIZE + 1.0,
            Anchor::Centre(PAGE_W / 2.0),
            MARGIN + TITLE_SIZE + 18.0,
        );
        let foot_y = PAGE_H - MARGIN + 4.0;
        text(
            &mut surface,
            &regular,
            &font,
            &format!("พิมพ์เมื่อ {}", info.printed_at),
            SMALL_SIZE,
            Anchor::Left(MARGIN),
            foot_y,
        );
        text(
            &mut surface,
            &regular,
            &font,
            &format!("หน้า {} / {}", n + 1, total),
            SMALL_SIZE,
            Anchor::Right(PAGE_W - MARGIN),
            foot_y,
        );

        let mut y = TABLE_TOP;
        draw_row(
            &mut surface,
            &header,
            0..header.line_count(),
            &edges,
            y,
            &bold_font,
            true,
        );
        y += header_height;
        for p in placed {
            let Some(cells) = sheet.rows.get(p.row) else {
                continue;
            };
            let row = lay_out(cells);
            draw_row(&mut surface, &row, p.lines.clone(), &edges, y, &font, false);
            y += row_height(p.lines.len());
        }
        surface.finish();
        page.finish();
    }
    document
        .finish()
        .map_err(|e| TablePdfError::Pdf(format!("{e:?}")))
}

#[derive(Clone, Copy)]
enum Anchor {
    Left(f32),
    Centre(f32),
    Right(f32),
}

fn black() -> Fill {
    Fill {
        paint: rgb::Color::new(0, 0, 0).into(),
        ..Fill::default()
    }
}

fn draw_row(
    surface: &mut Surface,
    row: &RowLayout,
    lines: Range<usize>,
    edges: &[(f32, f32)],
    top: f32,
    font: &Font,
    header: bool,
) {
    let height = row_height(lines.len());
    let mut path = PathBuilder::new();
    for &(x, w) in edges {
        if let Some(rect) = Rect::from_xywh(x, top, w, height) {
            path.push_rect(rect);
        }
    }
    if let Some(path) = path.finish() {
        if header {
            surface.set_stroke(None);
            surface.set_fill(Some(Fill {
                paint: rgb::Color::new(235, 235, 235).into(),
                ..Fill::default()
            }));
            surface.draw_path(&path);
        }
        surface.set_fill(None);
        surface.set_stroke(Some(Stroke {
            width: 0.5,
            ..Stroke::default()
        }));
        surface.draw_path(&path);
        surface.set_stroke(None);
    }
    surface.set_fill(Some(black()));
    for (cell, &(x, w)) in row.cells.iter().zip(edges) {
        for (k, line) in cell.lines.iter().enumerate() {
            if !lines.contains(&k) {
                continue;
            }
            let left = if cell.right_aligned || header {
                if header {
                    x + (w - line.width) / 2.0
                } else {
                    x + w - PAD - line.width
                }
            } else {
                x + PAD
            };
            let baseline = top + PAD + BODY_SIZE + (k - lines.start) as f32 * LEAD;
            surface.draw_glyphs(
                Point::from_xy(left, baseline),
                &line.glyphs,
                font.clone(),
                &cell.text,
                BODY_SIZE,
                false,
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(lines: &[Line], text: &str) -> Vec<String> {
        lines
            .iter()
            .map(|l| {
                let start = l.glyphs.first().map_or(0, |g| g.text_range.start);
                let end = l.glyphs.iter().map(|g| g.text_range.end).max().unwrap_or(0);
                text[start..end].to_string()
            })
            .collect()
    }

    #[test]
    fn thai_wraps_at_word_boundaries_from_the_dictionary() {
        let set = Typesetter::new(SARABUN_REGULAR).unwrap();
        let text = "ขอความอนุเคราะห์ส่งรายชื่อผู้เข้ารับการฝึกอบรมเชิงปฏิบัติการ สำนักงานเขตพื้นที่การศึกษาประถมศึกษาอุบลราชธานี เขต 1";
        let lines = set.wrap(text, BODY_SIZE, 120.0);
        assert!(lines.len() > 2);
        assert!(lines.iter().all(|l| l.width <= 120.0));
        let pieces = words(&lines, text);
        assert_eq!(pieces.concat().replace(' ', ""), text.replace(' ', ""));
        // The province is one word: it is never cut inside.
        assert!(pieces.iter().any(|p| p.contains("อุบลราชธานี")), "{pieces:?}");
    }

    #[test]
    fn a_word_wider_than_the_column_is_cut_between_clusters() {
        let set = Typesetter::new(SARABUN_REGULAR).unwrap();
        let text = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
        let lines = set.wrap(text, BODY_SIZE, 40.0);
        assert!(lines.len() > 3);
        assert_eq!(words(&lines, text).concat(), text);
    }

    #[test]
    fn a_row_never_splits_unless_taller_than_a_page() {
        let rows: Vec<usize> = (0..40).map(|i| 1 + i % 3).chain([80]).collect();
        let pages = paginate(&rows, 20.0);
        for p in pages.iter().flatten().filter(|p| p.row != 40) {
            assert_eq!(p.lines, 0..rows[p.row], "row {} is whole", p.row);
        }
        let cut: Vec<&Placed> = pages.iter().flatten().filter(|p| p.row == 40).collect();
        assert!(cut.len() >= 2, "an 80-line row spans pages");
        assert_eq!(cut.iter().map(|p| p.lines.len()).sum::<usize>(), 80);
    }
}
