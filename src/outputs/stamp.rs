//! The receipt stamp drawn on a PDF: an incremental update appended to the original bytes, so the
//! original stays a byte-for-byte prefix of the stamped copy (and its own signature, if any, still
//! covers what it covered). What `outputs.md` found, and why each step is here:
//! - the box goes at a corner of the *displayed* first page: CropBox ∩ MediaBox, turned by
//!   `/Rotate`, all three inheritable from the page tree;
//! - Thai is shaped (rustybuzz) and the font embedded as a subset (Type0, Identity-H, the new
//!   glyph id is the CID), each glyph placed where the shaper says;
//! - each line is wrapped in `/ActualText`, so copying and searching give the exact Thai text;
//! - the old content is wrapped in `q … Q` so a CTM or colour it left behind cannot move the stamp;
//! - a file whose cross-reference table had to be rebuilt is rewritten whole first, since an
//!   update chained to a broken table is unreadable;
//! - a file already stamped (by another saraban) gets the next stamp beside the first.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;

use lopdf::{
    Dictionary, Document, IncrementalDocument, LoadOptions, Object, ObjectId, Stream, dictionary,
};

use super::fonts::{self, SARABUN_REGULAR};
use crate::domain::stamp::{ReceiptStamp, StampCorner};

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum StampError {
    #[error("อ่านไฟล์ PDF ไม่ได้ ({0})")]
    Unreadable(String),
    #[error("ไฟล์ PDF ไม่มีหน้าเอกสาร")]
    NoPages,
    #[error("ไฟล์ PDF ตั้งรหัสผ่านสำหรับเปิดไว้ ระบบจึงประทับตราไม่ได้")]
    Password,
    #[error("อ่านรูปภาพไม่ได้ ({0})")]
    Image(String),
    #[error("ประทับตรารับบนไฟล์นี้ไม่ได้ ({0})")]
    Write(String),
}

fn unreadable(e: impl std::fmt::Display) -> StampError {
    StampError::Unreadable(e.to_string())
}

fn write_error(e: impl std::fmt::Display) -> StampError {
    StampError::Write(e.to_string())
}

/// Whether the PDF carries a digital signature (a signature dictionary with a byte range): the
/// stamped copy then no longer matches it, and the page says the signed original is the record.
pub fn is_signed(pdf: &[u8]) -> bool {
    let has = |needle: &[u8]| memchr::memmem::find(pdf, needle).is_some();
    has(b"/ByteRange") && (has(b"/Sig") || has(b"/DocTimeStamp"))
}

/// The stamped copy of `original`: the same buffer, with the update appended.
///
/// A scan is mostly one image stream, and on a 20 MB file every extra copy of it cost about 10 ms
/// here (the fresh pages, not the copying), so the file is copied once only, by the parser:
/// - image data is dropped as it is parsed: the stamp never reads an image, and no object holding
///   one is written again;
/// - lopdf's incremental writer would copy the previous revision to its output; it gets a
///   never-touched zeroed stand-in of the same length instead, its output's first bytes are
///   skipped, and what it appends is added to `original` itself.
pub fn stamp_pdf(mut original: Vec<u8>, stamp: &ReceiptStamp) -> Result<Vec<u8>, StampError> {
    let load = |options: LoadOptions| {
        Document::load_mem_with_options(&original, options).map_err(|e| match e {
            lopdf::Error::Decryption(_) | lopdf::Error::InvalidPassword => StampError::Password,
            other => unreadable(other),
        })
    };
    let mut document = load(LoadOptions {
        filter: Some(without_image_data),
        ..LoadOptions::default()
    })?;
    if document.xref_recovery.is_some() {
        // The repaired file is rewritten whole, images and all, and the stamp goes on that copy
        // (the original is stored apart).
        document = load(LoadOptions::default())?;
        let mut repaired = Vec::with_capacity(original.len());
        document.save_to(&mut repaired).map_err(write_error)?;
        let reread = Document::load_mem(&repaired).map_err(unreadable)?;
        original = repaired;
        document = reread;
    }
    if document.is_encrypted() && document.encryption_state.is_none() {
        return Err(StampError::Password);
    }
    let mut stand_in = vec![0u8; original.len()];
    if let (Some(last), Some(slot)) = (original.last(), stand_in.last_mut()) {
        // The writer looks at the last byte to decide whether to start a new line.
        *slot = *last;
    }
    let mut incremental = IncrementalDocument::create_from(stand_in, document);
    draw(&mut incremental, stamp)?;
    let mut update = AfterPrefix {
        skip: original.len(),
        appended: Vec::with_capacity(32 << 10),
    };
    incremental.save_to(&mut update).map_err(write_error)?;
    original.extend_from_slice(&update.appended);
    Ok(original)
}

/// Load filter: an image's data is replaced by nothing (its dictionary stays). lopdf keeps the
/// object it passed in, edited in place, for a top-level object, and the returned one for a member
/// of an object stream, so both are the same.
fn without_image_data(id: ObjectId, object: &mut Object) -> Option<(ObjectId, Object)> {
    if let Object::Stream(stream) = object
        && stream.dict.get(b"Subtype").and_then(Object::as_name).ok() == Some(b"Image".as_slice())
    {
        stream.content = Vec::new();
    }
    Some((id, object.clone()))
}

/// A writer that counts off the first `skip` bytes without reading them and keeps the rest.
struct AfterPrefix {
    skip: usize,
    appended: Vec<u8>,
}

impl Write for AfterPrefix {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.skip >= buf.len() {
            self.skip -= buf.len();
        } else {
            self.appended.extend_from_slice(&buf[self.skip..]);
            self.skip = 0;
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// A JPEG or PNG scan as a one-page PDF the size of the image at 150 dpi (A4 paper scanned at that
/// resolution comes out A4), ready to stamp.
pub fn image_to_pdf(image: &[u8], png: bool) -> Result<Vec<u8>, StampError> {
    use krilla::Document as KrillaDocument;
    use krilla::geom::Size;
    use krilla::image::Image;
    use krilla::page::PageSettings;

    let data = krilla::Data::from(image.to_vec());
    let picture = if png {
        Image::from_png(data, true)
    } else {
        Image::from_jpeg(data, true)
    }
    .map_err(StampError::Image)?;
    let (w, h) = picture.size();
    if w == 0 || h == 0 {
        return Err(StampError::Image("ภาพไม่มีขนาด".into()));
    }
    let (width, height) = (w as f32 * 72.0 / 150.0, h as f32 * 72.0 / 150.0);
    let mut document = KrillaDocument::new();
    let settings = PageSettings::from_wh(width, height)
        .ok_or_else(|| StampError::Image("ขนาดภาพไม่ถูกต้อง".into()))?;
    let mut page = document.start_page_with(settings);
    let mut surface = page.surface();
    let size =
        Size::from_wh(width, height).ok_or_else(|| StampError::Image("ขนาดภาพไม่ถูกต้อง".into()))?;
    surface.draw_image(picture, size);
    surface.finish();
    page.finish();
    document
        .finish()
        .map_err(|e| StampError::Image(format!("{e:?}")))
}

/// The visible area of a page in user space and its turn: CropBox ∩ MediaBox, `/Rotate`.
#[derive(Debug, Clone, Copy, PartialEq)]
struct View {
    x0: f32,
    y0: f32,
    x1: f32,
    y1: f32,
    rotate: i64,
}

impl View {
    /// Width and height as the reader sees the page.
    fn displayed(&self) -> (f32, f32) {
        let (w, h) = (self.x1 - self.x0, self.y1 - self.y0);
        if self.rotate % 180 == 0 {
            (w, h)
        } else {
            (h, w)
        }
    }

    /// The matrix from displayed coordinates (origin bottom-left of what is seen) to user space.
    fn display_to_user(&self) -> [f32; 6] {
        match self.rotate {
            90 => [0.0, 1.0, -1.0, 0.0, self.x1, self.y0],
            180 => [-1.0, 0.0, 0.0, -1.0, self.x1, self.y1],
            270 => [0.0, -1.0, 1.0, 0.0, self.x0, self.y1],
            _ => [1.0, 0.0, 0.0, 1.0, self.x0, self.y0],
        }
    }
}

/// A page attribute, from the page or the nearest ancestor that has it.
fn inherited<'a>(doc: &'a Document, page: ObjectId, key: &[u8]) -> Option<&'a Object> {
    let mut node = doc.get_dictionary(page).ok()?;
    for _ in 0..64 {
        if let Ok(value) = node.get(key) {
            return doc.dereference(value).ok().map(|(_, v)| v);
        }
        let parent = node.get(b"Parent").ok()?.as_reference().ok()?;
        node = doc.get_dictionary(parent).ok()?;
    }
    None
}

fn number(doc: &Document, object: &Object) -> Option<f32> {
    match doc.dereference(object).ok()?.1 {
        Object::Integer(i) => Some(*i as f32),
        Object::Real(r) => Some(*r),
        _ => None,
    }
}

fn rectangle(doc: &Document, object: Option<&Object>) -> Option<[f32; 4]> {
    let items = object?.as_array().ok()?;
    if items.len() != 4 {
        return None;
    }
    let v: Vec<f32> = items.iter().filter_map(|o| number(doc, o)).collect();
    if v.len() != 4 {
        return None;
    }
    Some([
        v[0].min(v[2]),
        v[1].min(v[3]),
        v[0].max(v[2]),
        v[1].max(v[3]),
    ])
}

fn view_of(doc: &Document, page: ObjectId) -> View {
    let media =
        rectangle(doc, inherited(doc, page, b"MediaBox")).unwrap_or([0.0, 0.0, 595.0, 842.0]);
    let crop = rectangle(doc, inherited(doc, page, b"CropBox")).unwrap_or(media);
    let mut view = View {
        x0: media[0].max(crop[0]),
        y0: media[1].max(crop[1]),
        x1: media[2].min(crop[2]),
        y1: media[3].min(crop[3]),
        rotate: 0,
    };
    if view.x1 - view.x0 < 1.0 || view.y1 - view.y0 < 1.0 {
        // A CropBox outside the MediaBox: viewers fall back to the MediaBox.
        (view.x0, view.y0, view.x1, view.y1) = (media[0], media[1], media[2], media[3]);
    }
    let rotate = inherited(doc, page, b"Rotate")
        .and_then(|o| o.as_i64().ok())
        .unwrap_or(0);
    view.rotate = rotate.rem_euclid(360) / 90 * 90;
    view
}

/// The font resource names a page can see already.
fn font_names(doc: &Document, page: ObjectId) -> BTreeSet<Vec<u8>> {
    let mut names = BTreeSet::new();
    let Some(resources) = inherited(doc, page, b"Resources").and_then(|r| r.as_dict().ok()) else {
        return names;
    };
    if let Ok(fonts) = resources.get(b"Font")
        && let Ok((_, Object::Dictionary(fonts))) = doc.dereference(fonts)
    {
        names.extend(fonts.iter().map(|(k, _)| k.clone()));
    }
    names
}

const STAMP_FONT: &str = "SarabanStamp";
/// Space between the box and the page's edge, and between two stamps.
const MARGIN: f32 = 18.0;
const INK: &str = "0.05 0.2 0.6";

fn draw(doc: &mut IncrementalDocument, stamp: &ReceiptStamp) -> Result<(), StampError> {
    let face =
        rustybuzz::Face::from_slice(SARABUN_REGULAR, 0).ok_or_else(|| write_error("font"))?;
    let prev = doc.get_prev_documents();
    let page = *prev.get_pages().get(&1).ok_or(StampError::NoPages)?;
    let view = view_of(prev, page);
    let taken = font_names(prev, page);
    // Stamps already on the page (from an earlier saraban) push this one along.
    let earlier = (0..)
        .find(|n| !taken.contains(format!("{STAMP_FONT}{n}").as_bytes()))
        .unwrap_or(0);
    let resource = format!("{STAMP_FONT}{earlier}");
    let old_contents = prev.get_page_contents(page);

    let lines: Vec<fonts::ShapedLine> =
        stamp.lines.iter().map(|l| fonts::shape(&face, l)).collect();
    let keep: Option<(fonts::ShapedLine, &String)> =
        stamp.keep.as_ref().map(|k| (fonts::shape(&face, k), k));
    let upem = face.units_per_em() as f32;
    let size = f32::from(stamp.settings.font_size);
    let scale = size / upem;
    let pad = size * 0.6;
    let lead = size * 1.55;
    let box_of = |lines: &[&fonts::ShapedLine]| {
        let widest = lines.iter().map(|l| l.width).max().unwrap_or(0) as f32 * scale;
        let h = 2.0 * pad + size * 1.1 + (lines.len().saturating_sub(1)) as f32 * lead + size * 0.4;
        (widest + 2.0 * pad, h)
    };
    let (box_w, box_h) = box_of(&lines.iter().collect::<Vec<_>>());

    let (dw, dh) = view.displayed();
    let shift = earlier as f32 * (box_h + MARGIN / 2.0);
    let place = |corner: StampCorner, w: f32, h: f32| {
        let (left, right) = (MARGIN, dw - MARGIN - w);
        let (bottom, top) = (MARGIN + shift, dh - MARGIN - h - shift);
        let (x, y) = match corner {
            StampCorner::TopRight => (right, top),
            StampCorner::TopLeft => (left, top),
            StampCorner::BottomRight => (right, bottom),
            StampCorner::BottomLeft => (left, bottom),
        };
        (x.max(0.0), y.max(0.0))
    };
    let (bx, by) = place(stamp.settings.corner, box_w, box_h);

    // Subset: every glyph the lines use, renumbered from 1 (0 stays .notdef).
    let mut remapper = subsetter::GlyphRemapper::new();
    for line in lines.iter().chain(keep.iter().map(|(l, _)| l)) {
        for g in &line.glyphs {
            remapper.remap(g.id);
        }
    }
    let subset = subsetter::subset(SARABUN_REGULAR, 0, &remapper)
        .map_err(|e| write_error(format!("{e:?}")))?;
    let cid = |id: u16| remapper.get(id).unwrap_or(0);

    let m = view.display_to_user();
    let mut content = String::from("Q ");
    // One box of lines at (x, y) on the displayed page; the first line centred when `centred`.
    let draw_box = |content: &mut String,
                    shaped: &[&fonts::ShapedLine],
                    texts: &[&String],
                    (x, y): (f32, f32),
                    (w, h): (f32, f32),
                    centred: bool| {
        *content += &format!(
            "q {} {} {} {} {} {} cm 1 0 0 1 {x:.2} {y:.2} cm\n",
            m[0], m[1], m[2], m[3], m[4], m[5]
        );
        *content += &format!("{INK} RG 1 w 0 0 {w:.2} {h:.2} re ");
        *content += if stamp.settings.filled {
            "1 1 1 rg B\n"
        } else {
            "S\n"
        };
        *content += &format!("BT {INK} rg /{resource} {size} Tf\n");
        for (i, (line, text)) in shaped.iter().zip(texts).enumerate() {
            let baseline = h - pad - size * 1.1 - i as f32 * lead;
            let start = if i == 0 && centred {
                (w - line.width as f32 * scale) / 2.0
            } else {
                pad
            };
            *content += &format!("/Span <</ActualText <{}>>> BDC\n", utf16_hex(text));
            let mut pen = 0i32;
            for g in &line.glyphs {
                let gx = start + (pen + g.x_offset) as f32 * scale;
                let gy = baseline + g.y_offset as f32 * scale;
                *content += &format!("1 0 0 1 {gx:.3} {gy:.3} Tm <{:04X}> Tj\n", cid(g.id));
                pen += g.x_advance;
            }
            *content += "EMC\n";
        }
        *content += "ET Q\n";
    };
    // The office's name is centred, the rest start at the left as on a rubber stamp.
    let texts: Vec<&String> = stamp.lines.iter().collect();
    draw_box(
        &mut content,
        &lines.iter().collect::<Vec<_>>(),
        &texts,
        (bx, by),
        (box_w, box_h),
        true,
    );
    // ตรากำหนดเก็บ: at the bottom right of the first page (bottom left when the receipt stamp
    // is set there).
    if let Some((line, text)) = &keep {
        let (w, h) = box_of(&[line]);
        let corner = match stamp.settings.corner {
            StampCorner::BottomRight => StampCorner::BottomLeft,
            _ => StampCorner::BottomRight,
        };
        draw_box(
            &mut content,
            &[line],
            &[text],
            place(corner, w, h),
            (w, h),
            false,
        );
    }

    let new = &mut doc.new_document;
    let mut all_lines = lines;
    let mut all_texts = stamp.lines.clone();
    if let Some((line, text)) = keep {
        all_lines.push(line);
        all_texts.push(text.clone());
    }
    let font = add_font(new, &face, &subset, &remapper, &all_lines, &all_texts)?;
    let open = new.add_object(Stream::new(Dictionary::new(), b"q\n".to_vec()));
    let mut body = Stream::new(Dictionary::new(), content.into_bytes());
    body.compress().map_err(write_error)?;
    let body = new.add_object(body);

    doc.opt_clone_object_to_new_document(page)
        .map_err(write_error)?;
    // A new direct array: /Contents may be an array object shared with other pages.
    let mut contents = vec![Object::Reference(open)];
    contents.extend(old_contents.into_iter().map(Object::Reference));
    contents.push(Object::Reference(body));
    doc.new_document
        .get_object_mut(page)
        .and_then(Object::as_dict_mut)
        .map_err(write_error)?
        .set("Contents", Object::Array(contents));

    let resources = doc.get_or_create_resources(page).map_err(write_error)?;
    let resources = resources.as_dict_mut().map_err(write_error)?;
    if !resources.has(b"Font") {
        resources.set("Font", Dictionary::new());
    }
    let fonts = resources.get_mut(b"Font").map_err(write_error)?;
    let fonts = if let Object::Reference(id) = *fonts {
        doc.opt_clone_object_to_new_document(id)
            .map_err(write_error)?;
        doc.new_document.get_object_mut(id).map_err(write_error)?
    } else {
        fonts
    };
    fonts
        .as_dict_mut()
        .map_err(write_error)?
        .set(resource.as_bytes(), Object::Reference(font));
    Ok(())
}

fn utf16_hex(text: &str) -> String {
    let mut out = String::from("FEFF");
    for unit in text.encode_utf16() {
        out += &format!("{unit:04X}");
    }
    out
}

/// The subset as a Type0 font (CIDFontType2, Identity-H), with widths and a ToUnicode map.
fn add_font(
    doc: &mut Document,
    face: &rustybuzz::Face<'_>,
    subset: &[u8],
    remapper: &subsetter::GlyphRemapper,
    lines: &[fonts::ShapedLine],
    texts: &[String],
) -> Result<ObjectId, StampError> {
    let per_mille = |v: f32| (v * 1000.0 / face.units_per_em() as f32).round() as i64;
    let base_font = "SRBSTM+Sarabun-Regular";

    let mut file = Stream::new(
        dictionary! { "Length1" => subset.len() as i64 },
        subset.to_vec(),
    );
    file.compress().map_err(write_error)?;
    let file = doc.add_object(file);
    let bbox = face.global_bounding_box();
    let descriptor = doc.add_object(dictionary! {
        "Type" => "FontDescriptor",
        "FontName" => Object::Name(base_font.into()),
        "Flags" => 4,
        "FontBBox" => vec![
            per_mille(f32::from(bbox.x_min)).into(), per_mille(f32::from(bbox.y_min)).into(),
            per_mille(f32::from(bbox.x_max)).into(), per_mille(f32::from(bbox.y_max)).into(),
        ],
        "ItalicAngle" => 0,
        "Ascent" => per_mille(f32::from(face.ascender())),
        "Descent" => per_mille(f32::from(face.descender())),
        "CapHeight" => per_mille(f32::from(face.capital_height().unwrap_or(face.ascender()))),
        "StemV" => 80,
        "FontFile2" => file,
    });
    let widths: Vec<Object> = remapper
        .remapped_gids()
        .map(|old| {
            let advance = face
                .glyph_hor_advance(rustybuzz::ttf_parser::GlyphId(old))
                .unwrap_or(0);
            Object::Integer(per_mille(f32::from(advance)))
        })
        .collect();
    let cid_font = doc.add_object(dictionary! {
        "Type" => "Font",
        "Subtype" => "CIDFontType2",
        "BaseFont" => Object::Name(base_font.into()),
        "CIDSystemInfo" => dictionary! {
            "Registry" => Object::string_literal("Adobe"),
            "Ordering" => Object::string_literal("Identity"),
            "Supplement" => 0,
        },
        "FontDescriptor" => descriptor,
        "CIDToGIDMap" => "Identity",
        "W" => vec![Object::Integer(0), Object::Array(widths)],
    });
    let mut cmap = Stream::new(
        Dictionary::new(),
        to_unicode_cmap(face, remapper, lines, texts).into_bytes(),
    );
    cmap.compress().map_err(write_error)?;
    let cmap = doc.add_object(cmap);
    Ok(doc.add_object(dictionary! {
        "Type" => "Font",
        "Subtype" => "Type0",
        "BaseFont" => Object::Name(base_font.into()),
        "Encoding" => "Identity-H",
        "DescendantFonts" => vec![Object::Reference(cid_font)],
        "ToUnicode" => cmap,
    }))
}

/// Which text each CID stands for, for readers that ignore ActualText: a glyph the font maps a
/// character to gets that character; a glyph the shaper made (a mark moved or a ligature) gets the
/// rest of its cluster.
fn to_unicode_cmap(
    face: &rustybuzz::Face<'_>,
    remapper: &subsetter::GlyphRemapper,
    lines: &[fonts::ShapedLine],
    texts: &[String],
) -> String {
    let mut meaning: BTreeMap<u16, String> = BTreeMap::new();
    for (line, text) in lines.iter().zip(texts) {
        let starts: Vec<usize> = line.glyphs.iter().map(|g| g.cluster).collect();
        let mut i = 0;
        while i < line.glyphs.len() {
            let start = starts[i];
            let end_glyph = (i..line.glyphs.len())
                .find(|&j| starts[j] != start)
                .unwrap_or(line.glyphs.len());
            let end = starts
                .get(end_glyph)
                .copied()
                .filter(|&e| e > start)
                .unwrap_or(text.len());
            let cluster: Vec<char> = text.get(start..end).unwrap_or("").chars().collect();
            let mut used = vec![false; cluster.len()];
            let mut unmatched = Vec::new();
            for g in &line.glyphs[i..end_glyph] {
                let found = cluster.iter().enumerate().position(|(k, c)| {
                    !used[k] && face.glyph_index(*c).map(|id| id.0) == Some(g.id)
                });
                match found {
                    Some(k) => {
                        used[k] = true;
                        meaning
                            .entry(g.id)
                            .or_insert_with(|| cluster[k].to_string());
                    }
                    None => unmatched.push(g.id),
                }
            }
            let rest: String = cluster
                .iter()
                .zip(&used)
                .filter(|(_, u)| !**u)
                .map(|(c, _)| *c)
                .collect();
            if let Some(first) = unmatched.first() {
                meaning.entry(*first).or_insert(rest);
            }
            i = end_glyph;
        }
    }
    let entries: Vec<(u16, String)> = meaning
        .into_iter()
        .filter(|(_, text)| !text.is_empty())
        .filter_map(|(old, text)| remapper.get(old).map(|cid| (cid, text)))
        .collect();
    let mut out = String::from(
        "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n\
         /CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n\
         /CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n\
         1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n",
    );
    for chunk in entries.chunks(100) {
        let mut block = Vec::new();
        let _ = writeln!(block, "{} beginbfchar", chunk.len());
        for (cid, text) in chunk {
            let hex: String = text.encode_utf16().map(|u| format!("{u:04X}")).collect();
            let _ = writeln!(block, "<{cid:04X}> <{hex}>");
        }
        let _ = writeln!(block, "endbfchar");
        out += &String::from_utf8_lossy(&block);
    }
    out += "endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n";
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rotation_maps_the_displayed_corner_to_user_space() {
        let apply = |m: [f32; 6], (u, v): (f32, f32)| {
            (m[0] * u + m[2] * v + m[4], m[1] * u + m[3] * v + m[5])
        };
        let base = View {
            x0: 10.0,
            y0: 20.0,
            x1: 610.0,
            y1: 820.0,
            rotate: 0,
        };
        // The displayed top-right corner of each turn is one corner of the page in user space.
        for (rotate, expected) in [
            (0, (610.0, 820.0)),
            (90, (10.0, 820.0)),
            (180, (10.0, 20.0)),
            (270, (610.0, 20.0)),
        ] {
            let view = View { rotate, ..base };
            let (w, h) = view.displayed();
            assert_eq!(
                apply(view.display_to_user(), (w, h)),
                expected,
                "rotate {rotate}"
            );
        }
    }

    #[test]
    fn actual_text_is_utf16_with_a_byte_order_mark() {
        assert_eq!(utf16_hex("ที่"), "FEFF0E170E350E48");
    }

    #[test]
    fn a_signature_is_noticed() {
        assert!(is_signed(b"<< /Type /Sig /ByteRange [0 1 2 3] >>"));
        assert!(!is_signed(b"%PDF-1.4 plain"));
    }
}
