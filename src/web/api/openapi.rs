//! `GET /api/v1/openapi.json`: the API described for people and tools. A test checks that every
//! route here answers and that every API route is described.

use axum::Json;
use serde_json::{Value, json};

use crate::web::auth::Viewer;

fn ok(description: &str, schema: Value) -> Value {
    json!({"description": description, "content": {"application/json": {"schema": schema}}})
}

fn errors(codes: &[u16]) -> serde_json::Map<String, Value> {
    codes
        .iter()
        .map(|c| {
            (
                c.to_string(),
                json!({"$ref": "#/components/responses/Error"}),
            )
        })
        .collect()
}

fn responses(success: (&str, Value), codes: &[u16]) -> Value {
    let mut map = errors(codes);
    map.insert(success.0.to_string(), success.1);
    Value::Object(map)
}

fn id_param(name: &str, description: &str) -> Value {
    json!({"name": name, "in": "path", "required": true, "description": description, "schema": {"type": "integer"}})
}

fn json_body(schema: Value) -> Value {
    json!({"required": true, "content": {"application/json": {"schema": schema}}})
}

/// The whole document, as data (tests read it too).
pub fn spec() -> Value {
    let letter_ref = json!({"$ref": "#/components/schemas/Letter"});
    let settings_ref = json!({"$ref": "#/components/schemas/Settings"});
    let user_ref = json!({"$ref": "#/components/schemas/User"});
    json!({
      "openapi": "3.1.0",
      "info": {
        "title": "saraban API",
        "version": "1",
        "description": "ทะเบียนหนังสือราชการ (รับ ส่ง เวียน คำสั่ง) ผ่าน JSON. Authenticate with `Authorization: Bearer <token>` from `saraban token create --user NAME`. A browser session may call it too, with the `X-CSRF-Token` header on changes. Errors are `{error: {code, message}}` (message in Thai)."
      },
      "servers": [{"url": "/api/v1"}],
      "security": [{"bearer": []}],
      "paths": {
        "/me": {"get": {"summary": "ผู้ใช้และหน่วยงานของ token นี้", "responses": responses(("200", ok("user and office", json!({"type": "object"}))), &[401])}},
        "/dashboard": {"get": {"summary": "จำนวนรายการในแต่ละทะเบียนของปี",
          "parameters": [{"name": "year_be", "in": "query", "schema": {"type": "integer"}}],
          "responses": responses(("200", ok("counts", json!({"type": "object"}))), &[401])}},
        "/letters": {
          "get": {"summary": "รายการทะเบียน ค้นหาได้ทุกช่อง (คำภาษาไทยแบบตรงบางส่วน ตัวเลขไทย = ตัวเลขอารบิก) เรียงจากล่าสุด",
            "parameters": [
              {"name": "register", "in": "query", "schema": {"type": "string", "enum": ["inbound", "outbound", "circular", "order"]}},
              {"name": "year_be", "in": "query", "schema": {"type": "integer"}},
              {"name": "q", "in": "query", "schema": {"type": "string"}},
              {"name": "field", "in": "query", "schema": {"type": "string", "enum": ["all", "subject", "doc_no", "from", "to", "number"]}},
              {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1}},
              {"name": "per_page", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 200}}],
            "responses": responses(("200", ok("a page of letters", json!({"type": "object", "properties": {
              "items": {"type": "array", "items": letter_ref}, "total": {"type": "integer"},
              "page": {"type": "integer"}, "per_page": {"type": "integer"}}}))), &[400, 401])},
          "post": {"summary": "ลงทะเบียนหนังสือ (ออกเลขทะเบียนอัตโนมัติ)",
            "requestBody": {"required": true, "content": {"multipart/form-data": {"schema": {"type": "object",
              "required": ["register", "subject"],
              "properties": {
                "register": {"type": "string", "enum": ["inbound", "outbound", "circular", "order"]},
                "doc_no": {"type": "string", "description": "ที่ — required for inbound; generated for the others"},
                "doc_date": {"type": "string", "description": "ลงวันที่: YYYY-MM-DD, or Thai (2 พ.ค. 2566)"},
                "from": {"type": "string"}, "to": {"type": "string"}, "subject": {"type": "string"},
                "action": {"type": "string"}, "remark": {"type": "string"},
                "speed": {"type": "string", "enum": ["normal", "urgent", "very_urgent", "most_urgent"]},
                "secrecy": {"type": "string", "enum": ["normal", "confidential", "secret", "top_secret"]},
                "letter_type": {"type": "string", "enum": ["external", "internal", "stamped", "directive", "publicity", "record"]},
                "file": {"type": "array", "items": {"type": "string", "format": "binary"}, "description": "up to 5 files: doc, docx, pdf, xls, xlsx, gif, jpg, png, zip, rar (checked by content), 20 MB each"},
                "description": {"type": "array", "items": {"type": "string"}, "description": "the n-th description belongs to the n-th file"}}}}}},
            "responses": responses(("201", ok("the registered letter", letter_ref.clone())), &[400, 401, 403, 413, 415, 422])}},
        "/letters/{id}": {
          "parameters": [id_param("id", "letter id")],
          "get": {"summary": "หนังสือหนึ่งรายการพร้อมไฟล์แนบ", "responses": responses(("200", ok("the letter", letter_ref.clone())), &[401, 404])},
          "patch": {"summary": "แก้ไขรายการ (ตามสิทธิ์และระยะเวลา ไม่เปลี่ยนเลขทะเบียน บันทึกค่าเดิมไว้)",
            "requestBody": json_body(json!({"type": "object", "properties": {
              "doc_no": {"type": "string"}, "doc_date": {"type": "string"}, "from": {"type": "string"}, "to": {"type": "string"},
              "subject": {"type": "string"}, "action": {"type": "string"}, "remark": {"type": "string"},
              "speed": {"type": "string"}, "secrecy": {"type": "string"}, "letter_type": {"type": "string"}}})),
            "responses": responses(("200", ok("the letter after the edit", letter_ref.clone())), &[400, 401, 403, 404, 409, 422])}},
        "/letters/{id}/cancel": {
          "parameters": [id_param("id", "letter id")],
          "post": {"summary": "ยกเลิกรายการ (เลขทะเบียนคงไว้)", "requestBody": json_body(json!({"type": "object", "required": ["reason"], "properties": {"reason": {"type": "string"}}})),
            "responses": responses(("200", ok("the cancelled letter", letter_ref.clone())), &[400, 401, 403, 404, 409, 422])}},
        "/letters/{id}/history": {
          "parameters": [id_param("id", "letter id")],
          "get": {"summary": "ประวัติของรายการ (บันทึกตรวจสอบแบบโซ่แฮช): registered, edited, cancelled, sent, forwarded, proposed, endorsed, acknowledged, returned", "responses": responses(("200", ok("events, oldest first", json!({"type": "array", "items": {"type": "object",
            "properties": {"kind": {"type": "string"}, "actor": {"type": "string"}, "at": {"type": "string"}, "detail": {"type": "object"}}}}))), &[401, 404])}},
        "/letters/{id}/forward": {
          "parameters": [id_param("id", "letter id")],
          "post": {"summary": "ส่งต่อหนังสือให้บุคคลหรือกลุ่มงาน (เขียนลงช่องการปฏิบัติ)",
            "requestBody": json_body(json!({"type": "object", "required": ["to"], "properties": {
              "to": {"type": "array", "items": {"$ref": "#/components/schemas/Target"}}, "note": {"type": "string"}, "due_date": {"type": "string", "description": "YYYY-MM-DD or Thai"}}})),
            "responses": responses(("201", ok("assignments", json!({"type": "object", "properties": {"assignments": {"type": "array", "items": {"$ref": "#/components/schemas/Assignment"}}}}))), &[400, 401, 403, 404, 409, 422])}},
        "/letters/{id}/propose": {
          "parameters": [id_param("id", "letter id")],
          "post": {"summary": "เสนอผู้อำนวยการหรือรองผู้อำนวยการ พร้อมสรุปเรื่อง",
            "requestBody": json_body(json!({"type": "object", "required": ["to", "summary"], "properties": {"to": {"type": "string", "description": "user name"}, "summary": {"type": "string"}}})),
            "responses": responses(("201", ok("assignments", json!({"type": "object"}))), &[400, 401, 403, 404, 409, 422])}},
        "/letters/{id}/endorse": {
          "parameters": [id_param("id", "letter id")],
          "post": {"summary": "เกษียนหนังสือ / สั่งการ (ผู้อำนวยการ รองผู้อำนวยการ); มอบ = ส่งต่อในขั้นเดียว",
            "requestBody": json_body(json!({"type": "object", "required": ["decision"], "properties": {
              "decision": {"type": "string", "enum": ["noted", "permitted", "approved", "agreed", "signed", "assign", "inform"], "description": "or the Thai word: ทราบ อนุญาต อนุมัติ ชอบ ลงนามแล้ว มอบ แจ้ง"},
              "text": {"type": "string"}, "assign_to": {"type": "array", "items": {"$ref": "#/components/schemas/Target"}},
              "acting_as": {"type": "string", "enum": ["", "acting", "on_behalf"], "description": "รักษาราชการแทน / ปฏิบัติราชการแทน"}}})),
            "responses": responses(("201", ok("the endorsement", json!({"type": "object"}))), &[400, 401, 403, 404, 409, 422])}},
        "/letters/{id}/acknowledge": {
          "parameters": [id_param("id", "letter id")],
          "post": {"summary": "รับทราบ (สิ่งที่มอบให้ตนเองหรือกลุ่มของตน)",
            "responses": responses(("200", ok("how many", json!({"type": "object", "properties": {"acknowledged": {"type": "integer"}}}))), &[401, 404, 409])}},
        "/letters/{id}/return": {
          "parameters": [id_param("id", "letter id")],
          "post": {"summary": "ส่งคืนผู้ที่มอบหนังสือให้ พร้อมบันทึก",
            "requestBody": json_body(json!({"type": "object", "properties": {"note": {"type": "string"}}})),
            "responses": responses(("201", ok("assignments", json!({"type": "object"}))), &[400, 401, 404, 409, 422])}},
        "/letters/{id}/journey": {
          "parameters": [id_param("id", "letter id")],
          "get": {"summary": "หนังสืออยู่กับใคร ใครรับทราบแล้ว และการเกษียน",
            "responses": responses(("200", ok("journey", json!({"type": "object", "properties": {
              "assignments": {"type": "array", "items": {"$ref": "#/components/schemas/Assignment"}}, "endorsements": {"type": "array", "items": {"type": "object"}}}}))), &[401, 404])}},
        "/me/notifications": {
          "put": {"summary": "อีเมลของฉันสำหรับแจ้งเตือนเมื่อมีหนังสือส่งถึง",
            "requestBody": json_body(json!({"type": "object", "required": ["email"], "properties": {"email": {"type": "string"}, "notify": {"type": "string", "enum": ["each", "daily", "off"], "description": "an e-mail per letter (default), one digest a day at 07:00, or none"}}})),
            "responses": responses(("200", ok("saved", json!({"type": "object"}))), &[400, 401, 422])}},
        "/work-groups": {
          "get": {"summary": "กลุ่มงานของหน่วยงานและสมาชิก", "responses": responses(("200", ok("groups", json!({"type": "object"}))), &[401])},
          "post": {"summary": "เพิ่มกลุ่มงาน (ผู้บริหาร เจ้าหน้าที่ธุรการ ผู้ดูแลระบบ)",
            "requestBody": json_body(json!({"type": "object", "required": ["id", "name"], "properties": {"id": {"type": "string", "description": "A–Z a–z 0–9 - _"}, "name": {"type": "string"}}})),
            "responses": responses(("201", ok("the group with its members", json!({"type": "object"}))), &[400, 401, 403, 422])}},
        "/work-groups/{group}": {
          "parameters": [{"name": "group", "in": "path", "required": true, "schema": {"type": "string"}}],
          "patch": {"summary": "เปลี่ยนชื่อกลุ่มงาน", "requestBody": json_body(json!({"type": "object", "properties": {"name": {"type": "string"}}})),
            "responses": responses(("200", ok("the group", json!({"type": "object"}))), &[400, 401, 403, 404, 422])}},
        "/work-groups/{group}/members": {
          "parameters": [{"name": "group", "in": "path", "required": true, "schema": {"type": "string"}}],
          "put": {"summary": "กำหนดสมาชิกทั้งหมดของกลุ่มงาน (ชื่อผู้ใช้ของหน่วยงานนี้)",
            "requestBody": json_body(json!({"type": "object", "required": ["users"], "properties": {"users": {"type": "array", "items": {"type": "string"}}}})),
            "responses": responses(("200", ok("the group with its members", json!({"type": "object"}))), &[400, 401, 403, 404, 422])}},
        "/school-groups/{id}": {
          "parameters": [id_param("id", "school group id")],
          "delete": {"summary": "ลบกลุ่มโรงเรียน", "responses": responses(("204", json!({"description": "removed"})), &[401, 403, 404])}},
        "/registers/{file}": {
          "parameters": [{"name": "file", "in": "path", "required": true, "schema": {"type": "string"}, "description": "inbound.xlsx, outbound.csv, inbound.pdf (แบบที่ 13), outbound.pdf (แบบที่ 14), circular.xlsx, order.csv, …"},
            {"name": "year_be", "in": "query", "schema": {"type": "integer"}}, {"name": "from", "in": "query", "schema": {"type": "string"}}, {"name": "to", "in": "query", "schema": {"type": "string"}},
            {"name": "q", "in": "query", "schema": {"type": "string"}}, {"name": "field", "in": "query", "schema": {"type": "string"}}],
          "get": {"summary": "ส่งออกทะเบียนเป็น Excel (.xlsx), CSV (UTF-8 BOM) หรือแบบพิมพ์ PDF (A4 แนวนอน แบบที่ 13/14) ตามที่หน้าทะเบียนแสดง (การค้นหาและชั้นความลับเหมือนกัน) เรียงจากเลขแรก; from/to = ช่วงวันที่ในปีนั้น",
            "responses": responses(("200", json!({"description": "the file", "content": {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {}, "text/csv": {}, "application/pdf": {}}})), &[400, 401, 404])}},
        "/registers/{register}/closing": {
          "parameters": [{"name": "register", "in": "path", "required": true, "schema": {"type": "string", "enum": ["outbound", "circular", "order"]}}],
          "get": {"summary": "ทะเบียนปีนั้นปิดแล้วหรือยัง (ค่าเริ่มต้นปีที่แล้ว) พร้อมที่อยู่ PDF ที่เก็บไว้", "parameters": [{"name": "year_be", "in": "query", "schema": {"type": "integer"}}],
            "responses": responses(("200", ok("the closing", json!({"type": "object"}))), &[400, 401, 404])},
          "post": {"summary": "ปิดทะเบียนประจำปี (หลัง 31 ธันวาคม; ทะเบียนส่ง เวียน คำสั่ง): เก็บแบบพิมพ์ PDF บันทึกในประวัติ และไม่ออกเลขในปีนั้นอีก",
            "requestBody": json_body(json!({"type": "object", "properties": {"year_be": {"type": "integer"}}})),
            "responses": responses(("201", ok("the closing", json!({"type": "object"}))), &[400, 401, 403, 404, 409])}},
        "/registers/{register}/closing.pdf": {
          "parameters": [{"name": "register", "in": "path", "required": true, "schema": {"type": "string"}}, {"name": "year_be", "in": "query", "schema": {"type": "integer"}}],
          "get": {"summary": "แบบพิมพ์ทะเบียน PDF ที่เก็บไว้เมื่อปิดทะเบียน (ไบต์เดิม sha256 เดิม)",
            "responses": responses(("200", json!({"description": "the PDF", "content": {"application/pdf": {}}})), &[401, 404])}},
        "/registers/{register}/import": {
          "parameters": [{"name": "register", "in": "path", "required": true, "schema": {"type": "string", "enum": ["inbound", "outbound", "circular", "order"]}}],
          "post": {"summary": "นำเข้าทะเบียนเดิม (.csv UTF-8 หรือ windows-874, .xlsx) ในคอลัมน์เดียวกับที่ระบบส่งออก: นำเข้าทุกแถวหรือไม่นำเข้าเลย แถวที่ผิดรายงานเป็นภาษาไทยใน error.rows; เลขทะเบียนและปีคงเดิม ตัวนับของปีปัจจุบันเลื่อนต่อจากเลขสูงสุดที่นำเข้า",
            "requestBody": {"required": true, "content": {"multipart/form-data": {"schema": {"type": "object", "required": ["file"], "properties": {"file": {"type": "string", "format": "binary"}}}}}},
            "responses": responses(("201", ok("what was imported", json!({"type": "object", "properties": {
              "register": {"type": "string"}, "imported": {"type": "integer"}, "counter_moved": {"type": ["integer", "null"]},
              "years": {"type": "array", "items": {"type": "object", "properties": {"year_be": {"type": "integer"}, "rows": {"type": "integer"}, "first": {"type": "integer"}, "last": {"type": "integer"}}}}}}))), &[400, 401, 403, 404, 413, 415, 422])}},
        "/letters/{id}/retention": {
          "parameters": [id_param("id", "letter id")],
          "put": {"summary": "เปลี่ยนอายุการเก็บ (ข้อ 57): ten_years, five_years, one_year, permanent (ห้ามทำลาย), by_law (ระบุ years), secret; บันทึกในประวัติ",
            "requestBody": json_body(json!({"type": "object", "required": ["class"], "properties": {"class": {"type": "string", "enum": ["ten_years", "five_years", "one_year", "permanent", "by_law", "secret"]}, "years": {"type": "integer", "minimum": 1, "maximum": 100}}})),
            "responses": responses(("200", ok("the retention and until when", json!({"type": "object", "properties": {
              "class": {"type": "string"}, "years": {"type": ["integer", "null"]}, "label": {"type": "string"}, "keep_until_be": {"type": ["integer", "null"]}, "keep_until": {"type": "string"}}}))), &[400, 401, 403, 404])}},
        "/letters/{id}/holds": {
          "parameters": [id_param("id", "letter id")],
          "get": {"summary": "การระงับการทำลายของหนังสือ (ใหม่ก่อน)", "responses": responses(("200", ok("holds", json!({"type": "object"}))), &[401, 404])},
          "post": {"summary": "ระงับการทำลาย (คดีความ การสอบสวน คำขอ) พร้อมเหตุผล จนกว่าจะยกเลิก; บันทึกในประวัติ",
            "requestBody": json_body(json!({"type": "object", "required": ["reason"], "properties": {"reason": {"type": "string"}}})),
            "responses": responses(("201", ok("the hold", json!({"type": "object"}))), &[400, 401, 403, 404, 422])}},
        "/holds/{id}/lift": {
          "parameters": [id_param("id", "hold id")],
          "post": {"summary": "ยกเลิกการระงับการทำลาย พร้อมเหตุผล; บันทึกในประวัติ",
            "requestBody": json_body(json!({"type": "object", "required": ["reason"], "properties": {"reason": {"type": "string"}}})),
            "responses": responses(("200", ok("the hold, lifted", json!({"type": "object"}))), &[400, 401, 403, 404, 422])}},
        "/file-codes": {
          "get": {"summary": "แผนการเก็บ: รหัสแฟ้มของหน่วยงาน พร้อมจำนวนหนังสือในแฟ้ม", "responses": responses(("200", ok("codes", json!({"type": "object"}))), &[401])},
          "post": {"summary": "เพิ่มรหัสแฟ้ม (หรือแก้ชื่อเมื่อมีอยู่แล้ว)", "requestBody": json_body(json!({"type": "object", "required": ["code", "name"], "properties": {"code": {"type": "string"}, "name": {"type": "string"}}})),
            "responses": responses(("201", ok("the code", json!({"type": "object"}))), &[400, 401, 403, 422])}},
        "/letters/{id}/filing": {
          "parameters": [id_param("id", "letter id")],
          "get": {"summary": "หนังสือนี้เก็บเข้าแฟ้มใด (filed: null = ยังไม่เก็บ)", "responses": responses(("200", ok("filing", json!({"type": "object"}))), &[401, 404])},
          "post": {"summary": "เก็บเข้าแฟ้ม (ข้อ 54–55) ตามรหัสแฟ้มในแผนการเก็บ ครั้งเดียวต่อฉบับ; filed_on ว่าง = วันนี้",
            "requestBody": json_body(json!({"type": "object", "required": ["file_code"], "properties": {"file_code": {"type": "string"}, "filed_on": {"type": "string"}, "note": {"type": "string"}}})),
            "responses": responses(("201", ok("the filing", json!({"type": "object"}))), &[400, 401, 403, 404, 409, 422])}},
        "/filing/{form}": {
          "parameters": [{"name": "form", "in": "path", "required": true, "schema": {"type": "string"}, "description": "list.pdf / list.xlsx (แบบที่ 19 บัญชีหนังสือส่งเก็บ), register.pdf / register.xlsx (แบบที่ 20 ทะเบียนหนังสือเก็บ)"},
            {"name": "year_be", "in": "query", "schema": {"type": "integer"}}],
          "get": {"summary": "แบบที่ 19 หรือ 20 ของหนังสือที่เก็บในปี พ.ศ. นั้น", "responses": responses(("200", json!({"description": "the form", "content": {"application/pdf": {}, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {}}})), &[400, 401, 403, 404])}},
        "/letters/{id}/loans": {
          "parameters": [id_param("id", "letter id")],
          "get": {"summary": "การยืมหนังสือฉบับนี้", "responses": responses(("200", ok("loans", json!({"type": "object"}))), &[401, 404])},
          "post": {"summary": "ให้ยืม (บัตรยืมหนังสือ แบบที่ 24) หนังสือที่เก็บเข้าแฟ้มแล้ว: เจ้าหน้าที่ (borrower_user) หรือบุคคลภายนอก (borrower_name + ตำแหน่ง/หน่วยงาน + approved_by ผู้อำนวยการหรือรอง); หนังสือลับให้บุคคลภายนอกยืมไม่ได้",
            "requestBody": json_body(json!({"type": "object", "required": ["purpose", "due_on"], "properties": {"item": {"type": "string"}, "borrower_user": {"type": "string"}, "borrower_name": {"type": "string"},
              "borrower_position": {"type": "string"}, "borrower_unit": {"type": "string"}, "borrower_email": {"type": "string"}, "purpose": {"type": "string"}, "borrowed_on": {"type": "string"}, "due_on": {"type": "string"}, "approved_by": {"type": "string"}}})),
            "responses": responses(("201", ok("the loan", json!({"type": "object"}))), &[400, 401, 403, 404, 409, 422])}},
        "/loans": {
          "get": {"summary": "ทะเบียนการยืม: status = out (ยืมอยู่), overdue (เลยกำหนด), returned (ส่งคืนแล้ว) หรือทั้งหมด; q = คำค้น (ทุกคำต้องอยู่ในหนังสือที่ยืม เหมือนค้นในทะเบียน)", "parameters": [{"name": "status", "in": "query", "schema": {"type": "string", "enum": ["out", "overdue", "returned"]}}, {"name": "q", "in": "query", "schema": {"type": "string"}}],
            "responses": responses(("200", ok("loans", json!({"type": "object"}))), &[400, 401, 403])}},
        "/loans/{id}/return": {
          "parameters": [id_param("id", "loan id")],
          "post": {"summary": "รับคืนหนังสือที่ยืม (ผู้ส่งคืน วันส่งคืน; ว่าง = ผู้ยืม วันนี้)", "requestBody": json_body(json!({"type": "object", "properties": {"returned_by": {"type": "string"}, "returned_on": {"type": "string"}}})),
            "responses": responses(("200", ok("the loan", json!({"type": "object"}))), &[400, 401, 403, 404, 409, 422])}},
        "/loans/{id}/card.pdf": {
          "parameters": [id_param("id", "loan id")],
          "get": {"summary": "บัตรยืมหนังสือ (แบบที่ 24) PDF", "responses": responses(("200", json!({"description": "the card", "content": {"application/pdf": {}}})), &[401, 403, 404])}},
        "/loan-register.pdf": {
          "get": {"summary": "ทะเบียนการยืมหนังสือ PDF (status เหมือน /loans)", "parameters": [{"name": "status", "in": "query", "schema": {"type": "string"}}],
            "responses": responses(("200", json!({"description": "the register", "content": {"application/pdf": {}}})), &[400, 401, 403])}},
        "/loan-register.xlsx": {
          "get": {"summary": "ทะเบียนการยืมหนังสือ Excel", "parameters": [{"name": "status", "in": "query", "schema": {"type": "string"}}],
            "responses": responses(("200", json!({"description": "the register", "content": {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {}}})), &[400, 401, 403])}},
        "/disposals": {
          "get": {"summary": "บัญชีหนังสือขอทำลายของหน่วยงาน (ใหม่ก่อน)", "responses": responses(("200", ok("lists", json!({"type": "object"}))), &[401, 403])},
          "post": {"summary": "สำรวจหนังสือที่ครบอายุการเก็บภายในสิ้นปี year_be (ปีที่ผ่านมาแล้ว) เป็นร่างบัญชีหนังสือขอทำลาย (แบบที่ 25): ไม่รวมหนังสือห้ามทำลาย หนังสือลับ ที่ระงับการทำลาย หรืออยู่ในบัญชีอื่น; 409 เมื่อปียังไม่สิ้นหรือไม่มีหนังสือครบกำหนด",
            "requestBody": json_body(json!({"type": "object", "required": ["year_be"], "properties": {"year_be": {"type": "integer"}}})),
            "responses": responses(("201", ok("the draft list with its items", json!({"type": "object"}))), &[400, 401, 403, 409])}},
        "/disposals/{id}": {
          "parameters": [id_param("id", "disposal id")],
          "get": {"summary": "บัญชีพร้อมคณะกรรมการ รายการ การพิจารณา และสถานะของแต่ละรายการ", "responses": responses(("200", ok("the list", json!({"type": "object"}))), &[401, 403, 404])}},
        "/disposals/{id}/committee": {
          "parameters": [id_param("id", "disposal id")],
          "put": {"summary": "หัวหน้าส่วนราชการ (ผู้อำนวยการ) แต่งตั้งคณะกรรมการ: ประธาน 1 คน กรรมการอย่างน้อย 2 คน (ชื่อผู้ใช้ คนละคนกัน)",
            "requestBody": json_body(json!({"type": "object", "required": ["chair", "members"], "properties": {"chair": {"type": "string"}, "members": {"type": "array", "items": {"type": "string"}}}})),
            "responses": responses(("200", ok("the list", json!({"type": "object"}))), &[400, 401, 403, 404, 409, 422])}},
        "/disposals/{id}/review": {
          "parameters": [id_param("id", "disposal id")],
          "post": {"summary": "คณะกรรมการพิจารณา: destroy (×) หรือ keep พร้อม keep_until_be; การแก้ไขทำให้ต้องยืนยันใหม่ทุกคน", "requestBody": json_body(json!({"type": "object", "required": ["items"], "properties": {"items": {"type": "array", "items": {"type": "object", "properties": {"letter_id": {"type": "integer"}, "decision": {"type": "string", "enum": ["destroy", "keep"]}, "keep_until_be": {"type": "integer"}}}}}})),
            "responses": responses(("200", ok("the list", json!({"type": "object"}))), &[400, 401, 403, 404, 409, 422])}},
        "/disposals/{id}/confirm": {
          "parameters": [id_param("id", "disposal id")],
          "post": {"summary": "กรรมการแต่ละคนยืนยันผลการพิจารณา", "responses": responses(("200", ok("the list", json!({"type": "object"}))), &[400, 401, 403, 404, 409, 422])}},
        "/disposals/{id}/submit": {
          "parameters": [id_param("id", "disposal id")],
          "post": {"summary": "ประธานกรรมการเสนอบัญชี (เมื่อพิจารณาครบและกรรมการยืนยันครบ)", "responses": responses(("200", ok("the list", json!({"type": "object"}))), &[400, 401, 403, 404, 409, 422])}},
        "/disposals/{id}/approve": {
          "parameters": [id_param("id", "disposal id")],
          "post": {"summary": "หัวหน้าส่วนราชการอนุมัติบัญชี", "responses": responses(("200", ok("the list", json!({"type": "object"}))), &[400, 401, 403, 404, 409, 422])}},
        "/disposals/{id}/sent": {
          "parameters": [id_param("id", "disposal id")],
          "post": {"summary": "บันทึกวันที่ส่งบัญชี (ต้นฉบับและสำเนา) ให้สำนักหอจดหมายเหตุแห่งชาติ (ว่าง = วันนี้)", "requestBody": json_body(json!({"type": "object", "properties": {"sent_on": {"type": "string"}}})),
            "responses": responses(("200", ok("the list", json!({"type": "object"}))), &[400, 401, 403, 404, 409, 422])}},
        "/disposals/{id}/archives-answer": {
          "parameters": [id_param("id", "disposal id")],
          "post": {"summary": "คำตอบของกรมศิลปากร: keep = รหัสหนังสือที่ขอให้เก็บ (กลายเป็นห้ามทำลาย)", "requestBody": json_body(json!({"type": "object", "properties": {"keep": {"type": "array", "items": {"type": "integer"}}}})),
            "responses": responses(("200", ok("the list", json!({"type": "object"}))), &[400, 401, 403, 404, 409, 422])}},
        "/disposals/{id}/destroy": {
          "parameters": [id_param("id", "disposal id")],
          "post": {"summary": "ทำลาย: ลบไฟล์ของหนังสือที่พิจารณาให้ทำลายออกจากที่เก็บอย่างถาวร (รวมในไฟล์ pack; ไฟล์เดียวกันที่หนังสืออื่นยังใช้ไม่ถูกลบ) ทะเบียนคงรายการไว้พร้อมหมายเหตุ; หลังกรมศิลปากรตอบ หรือครบ [records] archives_answer_days นับจากวันส่ง; หนังสือที่ระงับการทำลายข้ามไป", "responses": responses(("200", ok("the list", json!({"type": "object"}))), &[400, 401, 403, 404, 409, 422])}},
        "/disposals/{id}/list.pdf": {
          "parameters": [id_param("id", "disposal id")],
          "get": {"summary": "บัญชีหนังสือขอทำลาย (แบบที่ 25) PDF พร้อมการพิจารณา", "responses": responses(("200", json!({"description": "the form", "content": {"application/pdf": {}}})), &[401, 403, 404])}},
        "/disposals/{id}/memo.pdf": {
          "parameters": [id_param("id", "disposal id")],
          "get": {"summary": "บันทึกการทำลายหนังสือ PDF (เมื่อทำลายแล้ว; ก่อนหน้านั้น 409)", "responses": responses(("200", json!({"description": "the memo", "content": {"application/pdf": {}}})), &[401, 403, 404, 409])}},
        "/handovers": {
          "get": {"summary": "บัญชีหนังสือครบ 20 ปีที่ทำแล้ว", "responses": responses(("200", ok("lists", json!({"type": "object"}))), &[401, 403])},
          "post": {"summary": "ทำบัญชีหนังสือครบ 20 ปี (ข้อ 58–60) ของปี year_be: ทุกฉบับที่ลงทะเบียนมาครบ 20 ปีส่งมอบวันนี้ (แบบที่ 21) ยกเว้น keep (ขอเก็บเอง แบบที่ 22); 409 เมื่อไม่มี",
            "requestBody": json_body(json!({"type": "object", "properties": {"year_be": {"type": "integer"}, "keep": {"type": "array", "items": {"type": "integer"}}}})),
            "responses": responses(("201", ok("the lists", json!({"type": "object"}))), &[400, 401, 403, 409, 422])}},
        "/handovers/due": {
          "get": {"summary": "หนังสือที่ครบ 20 ปีในปี year_be และยังไม่อยู่ในบัญชีใด", "parameters": [{"name": "year_be", "in": "query", "schema": {"type": "integer"}}],
            "responses": responses(("200", ok("letter ids", json!({"type": "object"}))), &[400, 401, 403])}},
        "/handovers/{id}": {
          "parameters": [id_param("id", "handover id")],
          "get": {"summary": "บัญชีพร้อมรายการ (kept = ขอเก็บเอง)", "responses": responses(("200", ok("the lists", json!({"type": "object"}))), &[401, 403, 404])}},
        "/handovers/{id}/{form}": {
          "parameters": [id_param("id", "handover id"), {"name": "form", "in": "path", "required": true, "schema": {"type": "string"}, "description": "form21.pdf / form21.xlsx (แบบที่ 21), form22.pdf / form22.xlsx (แบบที่ 22)"}],
          "get": {"summary": "บัญชีส่งมอบหนังสือครบ 20 ปี (แบบที่ 21) หรือบัญชีหนังสือครบ 20 ปีที่ขอเก็บเอง (แบบที่ 22)", "responses": responses(("200", json!({"description": "the form", "content": {"application/pdf": {}}})), &[401, 403, 404])}},
        "/handovers/{id}/package.zip": {
          "parameters": [id_param("id", "handover id")],
          "get": {"summary": "ชุดส่งมอบ: ไฟล์ของหนังสือที่ส่งมอบ แบบที่ 21 (PDF) และ manifest.json (ข้อมูลหนังสือและ sha256 ของทุกไฟล์)", "responses": responses(("200", json!({"description": "the package", "content": {"application/zip": {}}})), &[401, 403, 404])}},
        "/follow-up": {
          "get": {"summary": "ติดตามงาน: unacknowledged = มอบแล้วยังไม่รับทราบ, overdue = เลยกำหนดและยังไม่ดำเนินการ, not_forwarded = ลงทะเบียนรับแล้วยังไม่ได้ส่งต่อ; groups = จำนวนต่อกลุ่มงาน",
            "parameters": [{"name": "status", "in": "query", "schema": {"type": "string", "enum": ["unacknowledged", "overdue", "not_forwarded"]}}],
            "responses": responses(("200", ok("items and per group counts", json!({"type": "object"}))), &[400, 401, 403])}},
        "/letters/{id}/done": {
          "parameters": [id_param("id", "letter id")],
          "post": {"summary": "ดำเนินการแล้ว (หลังรับทราบ) พร้อมบันทึกผล", "requestBody": json_body(json!({"type": "object", "properties": {"note": {"type": "string"}}})),
            "responses": responses(("200", ok("how many steps were marked done", json!({"type": "object"}))), &[400, 401, 404, 409, 422])}},
        "/letters/{id}/attachments": {
          "parameters": [id_param("id", "letter id")],
          "post": {"summary": "แนบไฟล์เพิ่มหลังลงทะเบียน (ภายในเวลาที่แก้ไขได้; ผู้ดูแลระบบได้ตลอด) หรือแทนที่ไฟล์ลำดับ replace (ไฟล์เดิมยังอยู่ในประวัติ)",
            "requestBody": {"required": true, "content": {"multipart/form-data": {"schema": {"type": "object", "properties": {
              "file": {"type": "string", "format": "binary"}, "description": {"type": "string"}, "replace": {"type": "integer"}}}}}},
            "responses": responses(("201", ok("the letter", json!({"$ref": "#/components/schemas/Letter"}))), &[400, 401, 403, 404, 413, 415, 422])}},
        "/inbox/{id}/dismiss": {"parameters": [id_param("id", "inbox entry id")],
          "post": {"summary": "ไม่ใช่หนังสือราชการ: ตัดออกจากรายการรอลงทะเบียนพร้อมเหตุผล (อีเมลยังเก็บไว้ ค้นได้ด้วย status=dismissed)",
            "requestBody": json_body(json!({"type": "object", "required": ["reason"], "properties": {"reason": {"type": "string"}}})),
            "responses": responses(("200", ok("the entry", json!({"type": "object"}))), &[400, 401, 403, 404, 409, 422])}},
        "/inbox/{id}/restore": {"parameters": [id_param("id", "inbox entry id")],
          "post": {"summary": "นำรายการที่ตัดออกกลับเข้ารายการรอลงทะเบียน", "responses": responses(("200", ok("the entry", json!({"type": "object"}))), &[401, 403, 404, 409])}},
        "/me/password": {
          "post": {"summary": "เปลี่ยนรหัสผ่านของตนเอง (ต้องใส่รหัสผ่านปัจจุบัน; เครื่องอื่นออกจากระบบ API token ยังใช้ได้)",
            "requestBody": json_body(json!({"type": "object", "required": ["current_password", "password"], "properties": {"current_password": {"type": "string"}, "password": {"type": "string"}}})),
            "responses": responses(("204", json!({"description": "changed"})), &[400, 401, 422])}},
        "/tokens": {
          "get": {"summary": "API token ของตนเอง (ผู้ดูแลระบบ: ของทั้งหน่วยงาน) ไม่แสดงตัว token",
            "responses": responses(("200", ok("tokens", json!({"type": "array", "items": {"type": "object", "properties": {
              "id": {"type": "string"}, "username": {"type": "string"}, "label": {"type": "string"}, "created_at": {"type": "string"}, "revoked_at": {"type": ["string", "null"]}}}}))), &[401])}},
        "/tokens/{token}": {
          "parameters": [{"name": "token", "in": "path", "required": true, "schema": {"type": "string"}, "description": "the id from GET /tokens"}],
          "delete": {"summary": "ยกเลิก API token", "responses": responses(("204", json!({"description": "revoked"})), &[401, 404])}},
        "/letters/{id}/send": {
          "parameters": [id_param("id", "letter id")],
          "post": {"summary": "ส่งหนังสือที่ลงทะเบียนส่งแล้ว ถึงหน่วยงานในระบบ (เข้าหนังสือรับทันที) และทางอีเมล (เข้าคิวส่ง); ลับที่สุดห้ามส่งทางอีเมล (422)",
            "requestBody": json_body(json!({"type": "object", "required": ["recipients", "idempotency_key"], "properties": {
              "recipients": {"type": "array", "items": {"type": "object", "description": "one of: office (an office of this deployment), work_group (a work group of another office, e.g. the district's), email (any address), school_group (a district's saved group), all_schools: true (a district's schools)",
                "properties": {"office": {"type": "string"}, "work_group": {"type": "string"}, "email": {"type": "string"}, "school_group": {"type": "integer"}, "all_schools": {"type": "boolean"}}}},
              "idempotency_key": {"type": "string", "description": "the same key again sends nothing more and answers the same deliveries"}}})),
            "responses": responses(("202", ok("deliveries", json!({"type": "object", "properties": {"deliveries": {"type": "array", "items": {"$ref": "#/components/schemas/Delivery"}}}}))), &[400, 401, 403, 404, 409, 422])}},
        "/letters/{id}/deliveries": {
          "parameters": [id_param("id", "letter id")],
          "get": {"summary": "สถานะการส่งถึงผู้รับแต่ละราย", "responses": responses(("200", ok("deliveries", json!({"type": "object", "properties": {"items": {"type": "array", "items": {"$ref": "#/components/schemas/Delivery"}}}}))), &[401, 404])}},
        "/school-groups": {
          "get": {"summary": "กลุ่มโรงเรียนที่สำนักงานเขตบันทึกไว้ (ส่งด้วย {school_group: ID})",
            "responses": responses(("200", ok("groups", json!({"type": "object", "properties": {"items": {"type": "array", "items": {"type": "object", "properties": {
              "id": {"type": "integer"}, "name": {"type": "string"}, "members": {"type": "array", "items": {"type": "string"}}}}}}}))), &[401])},
          "post": {"summary": "เพิ่มกลุ่มโรงเรียน (สำนักงานเขต)", "requestBody": json_body(json!({"type": "object", "required": ["name", "members"], "properties": {"name": {"type": "string"}, "members": {"type": "array", "items": {"type": "string"}, "description": "office ids of the district's schools"}}})),
            "responses": responses(("201", ok("the group", json!({"type": "object"}))), &[400, 401, 403, 422])}},
        "/deliveries/{id}/retry": {
          "parameters": [id_param("id", "delivery id")],
          "post": {"summary": "ส่งอีเมลที่ส่งไม่สำเร็จหรือล่าช้าอีกครั้ง (ข้อความเดิม Message-ID เดิม)",
            "responses": responses(("202", ok("the delivery, queued again", json!({"$ref": "#/components/schemas/Delivery"}))), &[401, 403, 404, 409])}},
        "/letters/{id}/attachments/{n}": {
          "parameters": [id_param("id", "letter id"), id_param("n", "1-based file position")],
          "get": {"summary": "ไฟล์แนบ (ไบต์) ต้นฉบับตามที่รับมา sha256 เดิม", "responses": responses(("200", json!({"description": "the file's bytes", "content": {"application/octet-stream": {}}})), &[401, 404])}},
        "/letters/{id}/attachments/{n}/stamped": {
          "parameters": [id_param("id", "letter id"), id_param("n", "1-based file position")],
          "get": {"summary": "ฉบับประทับตรารับ (PDF) ของไฟล์ PDF หรือภาพสแกนของหนังสือรับ; 415 พร้อมเหตุผลเมื่อไฟล์นี้ไม่มีฉบับประทับตรา",
            "responses": responses(("200", json!({"description": "the stamped copy", "content": {"application/pdf": {}}})), &[401, 404, 415])}},
        "/settings": {
          "get": {"summary": "ตั้งค่าหน่วยงาน ปีปฏิทิน และเลขเริ่มต้น", "parameters": [{"name": "year_be", "in": "query", "schema": {"type": "integer"}}],
            "responses": responses(("200", ok("settings", settings_ref.clone())), &[401, 403])},
          "patch": {"summary": "แก้ชื่อหน่วยงาน รหัสนำหน้าเลขที่หนังสือ อีเมล และวิธีออกเลขหนังสือเวียน",
            "requestBody": json_body(json!({"type": "object", "properties": {"name": {"type": "string"}, "prefix": {"type": "string"},
              "email": {"type": "string"}, "circular_numbering": {"type": "string", "enum": ["shared_with_outbound", "separate"]}, "auto_register": {"type": "boolean"},
              "stamp_corner": {"type": "string", "enum": ["top_right", "top_left", "bottom_right", "bottom_left"]}, "stamp_font_size": {"type": "integer", "minimum": 8, "maximum": 18}, "stamp_filled": {"type": "boolean"}}})),
            "responses": responses(("200", ok("settings", settings_ref.clone())), &[400, 401, 403, 422])}},
        "/settings/retention": {
          "get": {"summary": "อายุการเก็บ: วิธีนับ “เก็บถึง พ.ศ.” (end_of_year = นับจากสิ้นปีที่ลงทะเบียน ค่าเริ่มต้น, from_registration) และค่าเริ่มต้นตามทะเบียน/ชนิดหนังสือ",
            "responses": responses(("200", ok("retention settings", json!({"type": "object"}))), &[401, 403])},
          "put": {"summary": "ตั้งวิธีนับ และ/หรือแทนที่รายการค่าเริ่มต้นทั้งหมด (register/letter_type ว่าง = ทุกทะเบียน/ทุกชนิด; กฎที่ตรงที่สุดใช้ก่อน ไม่มีกฎ = 10 ปี)",
            "requestBody": json_body(json!({"type": "object", "properties": {"counting": {"type": "string", "enum": ["end_of_year", "from_registration"]},
              "defaults": {"type": "array", "items": {"type": "object", "properties": {"register": {"type": "string"}, "letter_type": {"type": "string"}, "class": {"type": "string"}, "years": {"type": "integer"}}}}}})),
            "responses": responses(("200", ok("retention settings", json!({"type": "object"}))), &[400, 401, 403, 422])}},
        "/settings/years": {"post": {"summary": "เพิ่มปีปฏิทิน", "requestBody": json_body(json!({"type": "object", "properties": {"year_be": {"type": "integer"}}})),
          "responses": responses(("201", ok("the year", json!({"type": "object"}))), &[400, 401, 403, 422])}},
        "/settings/active-year": {"put": {"summary": "ปีที่เปิดใช้งาน (null = ตามปฏิทิน)", "requestBody": json_body(json!({"type": "object", "properties": {"year_be": {"type": ["integer", "null"]}}})),
          "responses": responses(("200", ok("the active year", json!({"type": "object"}))), &[400, 401, 403, 422])}},
        "/settings/counters/{year_be}/{series}": {
          "parameters": [id_param("year_be", "Buddhist-era year"), {"name": "series", "in": "path", "required": true, "schema": {"type": "string", "enum": ["inbound", "outbound", "circular", "order"]}}],
          "put": {"summary": "ตั้งเลขเริ่มต้นของปี (ก่อนออกเลขแรกเท่านั้น)", "requestBody": json_body(json!({"type": "object", "required": ["start_number"], "properties": {"start_number": {"type": "integer", "minimum": 1}}})),
            "responses": responses(("200", ok("settings", settings_ref)), &[400, 401, 403, 404, 409, 422])}},
        "/users": {
          "get": {"summary": "เจ้าหน้าที่ของหน่วยงาน", "responses": responses(("200", ok("users", json!({"type": "array", "items": user_ref.clone()}))), &[401, 403])},
          "post": {"summary": "เพิ่มเจ้าหน้าที่", "requestBody": json_body(json!({"type": "object", "required": ["username", "role", "password"], "properties": {
              "username": {"type": "string"}, "full_name": {"type": "string"}, "role": {"type": "string", "enum": ["admin", "director", "deputy", "clerk", "staff"]}, "password": {"type": "string", "minLength": 8}}})),
            "responses": responses(("201", ok("the user", user_ref.clone())), &[400, 401, 403, 422])}},
        "/inbox": {"get": {"summary": "หนังสือรับ: box=all|saraban = หนังสือรับของหน่วยงาน (อีเมลและในระบบ) เรียงจากล่าสุด; box=personal|group = หนังสือที่มอบให้ตนเองหรือกลุ่มงานของตน (รายการเป็น Assignment พร้อม letter_id, subject, doc_no, speed, secrecy) ด่วนก่อน",
          "parameters": [
            {"name": "box", "in": "query", "schema": {"type": "string", "enum": ["all", "saraban", "group", "personal"]}},
            {"name": "status", "in": "query", "schema": {"type": "string", "enum": ["all", "unregistered", "registered", "not_forwarded", "with_files", "dismissed"]}},
            {"name": "q", "in": "query", "schema": {"type": "string"}},
            {"name": "page", "in": "query", "schema": {"type": "integer"}}, {"name": "per_page", "in": "query", "schema": {"type": "integer"}}],
          "responses": responses(("200", ok("entries", json!({"type": "object", "properties": {"items": {"type": "array", "items": {"$ref": "#/components/schemas/InboxEntry"}}, "total": {"type": "integer"}}}))), &[400, 401, 403])}},
        "/inbox/{id}": {"parameters": [id_param("id", "inbox entry id")],
          "get": {"summary": "หนังสือรับหนึ่งฉบับ พร้อม authentication: ผลตรวจผู้ส่ง (verdict = verified, unverified, pending, spoofed; label ภาษาไทย; domain; method; claimed_office; held; checks = DKIM/SPF/DMARC/ARC) หรือ null เมื่อยังไม่ได้ตรวจ", "responses": responses(("200", ok("the entry", json!({"$ref": "#/components/schemas/InboxEntry"}))), &[401, 403, 404])}},
        "/inbox/{id}/register": {"parameters": [id_param("id", "inbox entry id")],
          "post": {"summary": "ลงทะเบียนรับ (ไม่ส่ง body = ตามที่อ่านได้จากอีเมล หรือส่งช่องที่แก้ไข)",
            "requestBody": {"required": false, "content": {"application/json": {"schema": {"type": "object", "properties": {
              "doc_no": {"type": "string"}, "doc_date": {"type": "string"}, "from": {"type": "string"}, "to": {"type": "string"}, "subject": {"type": "string"},
              "action": {"type": "string"}, "remark": {"type": "string"}, "speed": {"type": "string"}, "secrecy": {"type": "string"}, "letter_type": {"type": "string"}}}}}},
            "responses": responses(("201", ok("the registered letter", letter_ref.clone())), &[400, 401, 403, 404, 409, 422])}},
        "/inbox/{id}/raw": {"parameters": [id_param("id", "inbox entry id")],
          "get": {"summary": "อีเมลต้นฉบับ (.eml)", "responses": responses(("200", json!({"description": "message/rfc822", "content": {"message/rfc822": {}}})), &[401, 403, 404])}},
        "/inbox/{id}/attachments/{n}": {"parameters": [id_param("id", "inbox entry id"), id_param("n", "1-based file position")],
          "get": {"summary": "ไฟล์แนบของหนังสือรับ", "responses": responses(("200", json!({"description": "the file", "content": {"application/octet-stream": {}}})), &[401, 403, 404])}},
        "/quarantine": {"get": {"summary": "อีเมลที่กักไว้ (อ่านไม่ได้ ใหญ่เกิน ไฟล์ไม่ได้รับอนุญาต)", "parameters": [{"name": "all", "in": "query", "schema": {"type": "boolean"}}],
          "responses": responses(("200", ok("items", json!({"type": "object"}))), &[401, 403])}},
        "/quarantine/{id}": {"parameters": [id_param("id", "quarantine id")],
          "get": {"summary": "รายการที่กักไว้หนึ่งรายการ", "responses": responses(("200", ok("item", json!({"type": "object"}))), &[401, 403, 404])}},
        "/quarantine/{id}/raw": {"parameters": [id_param("id", "quarantine id")],
          "get": {"summary": "ต้นฉบับ (.eml)", "responses": responses(("200", json!({"description": "message/rfc822", "content": {"message/rfc822": {}}})), &[401, 403, 404])}},
        "/quarantine/{id}/retry": {"parameters": [id_param("id", "quarantine id")],
          "post": {"summary": "อ่านใหม่ (409 พร้อมเหตุผลถ้ายังอ่านไม่ได้)", "responses": responses(("200", ok("outcome", json!({"type": "object"}))), &[401, 403, 404, 409])}},
        "/quarantine/{id}/dismiss": {"parameters": [id_param("id", "quarantine id")],
          "post": {"summary": "ไม่นำเข้า (ต้นฉบับยังเก็บไว้)", "responses": responses(("200", ok("dismissed", json!({"type": "object"}))), &[401, 403, 404])}},
        "/notices": {"get": {"summary": "ตอบกลับอัตโนมัติและรายงานการส่งไม่ถึง (ไม่ใช่หนังสือ)", "responses": responses(("200", ok("items", json!({"type": "object"}))), &[401, 403])}},
        "/mailboxes": {
          "get": {"summary": "กล่องอีเมลสารบรรณและสถานะ (ผู้ดูแลระบบ)", "responses": responses(("200", ok("items", json!({"type": "object"}))), &[401, 403])},
          "post": {"summary": "เพิ่มกล่องอีเมล", "requestBody": json_body(json!({"type": "object", "required": ["host", "port", "security", "username", "password"], "properties": {
              "host": {"type": "string"}, "port": {"type": "integer"}, "security": {"type": "string", "enum": ["none", "starttls", "tls"]}, "ca_file": {"type": "string"},
              "username": {"type": "string"}, "password": {"type": "string"}, "folders": {"type": "array", "items": {"type": "string"}}, "poll_secs": {"type": "integer"}, "move_to": {"type": "string"}}})),
            "responses": responses(("201", ok("the mailbox (without its password)", json!({"type": "object"}))), &[400, 401, 403, 422])}},
        "/mailboxes/{id}": {"parameters": [id_param("id", "mailbox id")],
          "delete": {"summary": "เลิกดึงกล่องอีเมล", "responses": responses(("204", json!({"description": "removed"})), &[401, 403, 404])}},
        "/mailboxes/{id}/test": {"parameters": [id_param("id", "mailbox id")],
          "post": {"summary": "ทดสอบการเชื่อมต่อ", "responses": responses(("200", ok("result", json!({"type": "object", "properties": {"ok": {"type": "boolean"}, "message": {"type": "string"}}}))), &[401, 403, 404])}},
        "/users/{id}": {
          "parameters": [id_param("id", "user id")],
          "patch": {"summary": "แก้ไขชื่อ บทบาท อีเมล เปิด/ปิดบัญชี หรือตั้งรหัสผ่านใหม่ (ตั้งรหัสผ่านให้ผู้อื่น: ผู้ดูแลระบบเท่านั้น ผู้ใช้นั้นออกจากระบบทุกเครื่องและ token ถูกยกเลิก)", "requestBody": json_body(json!({"type": "object", "properties": {"active": {"type": "boolean"}, "password": {"type": "string"}, "full_name": {"type": "string"}, "role": {"type": "string"}, "email": {"type": "string"}}})),
            "responses": responses(("200", ok("the user", user_ref)), &[400, 401, 403, 404, 409, 422])}}
      },
      "components": {
        "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        "responses": {"Error": {"description": "an error", "content": {"application/json": {"schema": {"type": "object", "properties": {"error": {"type": "object", "properties": {
          "code": {"type": "string"}, "message": {"type": "string", "description": "Thai, for people"}, "fields": {"type": "object", "description": "per-field Thai messages (422)"}}}}}}}}},
        "schemas": {
          "Letter": {"type": "object", "properties": {
            "id": {"type": "integer"}, "office_id": {"type": "string"}, "register": {"type": "string"}, "series": {"type": "string"},
            "number": {"type": "integer", "description": "เลขทะเบียน"}, "year_be": {"type": "integer"}, "doc_no": {"type": "string", "description": "ที่"},
            "doc_date": {"type": "string", "format": "date"}, "doc_date_th": {"type": "string"}, "from": {"type": "string"}, "to": {"type": "string"},
            "subject": {"type": "string"}, "action": {"type": "string"}, "remark": {"type": "string"}, "speed": {"type": "string"},
            "secrecy": {"type": "string"}, "letter_type": {"type": "string"}, "registered_at": {"type": "string", "format": "date-time"},
            "registered_by": {"type": "string"}, "received_at": {"type": ["string", "null"]}, "cancelled": {"type": "boolean"},
            "cancelled_at": {"type": ["string", "null"]}, "cancel_reason": {"type": ["string", "null"]},
            "retention": {"type": "object", "description": "อายุการเก็บ", "properties": {"class": {"type": "string"}, "years": {"type": ["integer", "null"]},
              "label": {"type": "string"}, "keep_until_be": {"type": ["integer", "null"]}, "keep_until": {"type": "string", "description": "เก็บถึง พ.ศ. X / ห้ามทำลาย"}}},
            "imported": {"type": ["object", "null"], "description": "นำเข้าจากทะเบียนเดิม: at, by"},
            "attachments": {"type": "array", "items": {"type": "object", "properties": {"n": {"type": "integer"}, "name": {"type": "string"},
              "description": {"type": "string"}, "kind": {"type": "string"}, "mime": {"type": "string"}, "size": {"type": "integer"},
              "sha256": {"type": "string"}, "url": {"type": "string"}}}}}},
          "Settings": {"type": "object", "properties": {"office": {"type": "object"}, "years": {"type": "array", "items": {"type": "integer"}},
            "year_be": {"type": "integer"}, "counters": {"type": "array", "items": {"type": "object", "properties": {
              "series": {"type": "string"}, "start_number": {"type": "integer"}, "next_number": {"type": "integer"}, "issued": {"type": "integer"}}}}}},
          "Target": {"type": "object", "description": "one of", "properties": {"user": {"type": "string", "description": "user name"}, "group": {"type": "string", "description": "work group id"}}},
          "Assignment": {"type": "object", "properties": {"id": {"type": "integer"}, "kind": {"type": "string", "enum": ["forward", "propose", "assign", "return"]},
            "from": {"type": "string"}, "to": {"type": "object"}, "note": {"type": "string"}, "due_date": {"type": ["string", "null"]}, "given_at": {"type": "string"},
            "acknowledged_at": {"type": ["string", "null"]}, "acknowledged_by": {"type": ["string", "null"]}, "overdue": {"type": "boolean"}}},
          "Delivery": {"type": "object", "properties": {"id": {"type": "integer"}, "recipient": {"type": "object"},
            "channel": {"type": "string", "enum": ["email", "in-system"]},
            "status": {"type": "string", "enum": ["queued", "sent", "delivered", "registered", "delayed", "failed"]},
            "recipient_number": {"type": ["integer", "null"]}, "recipient_year_be": {"type": ["integer", "null"]},
            "message_id": {"type": ["string", "null"]}, "attempts": {"type": "integer"}, "error": {"type": ["string", "null"]},
            "kind": {"type": "string", "enum": ["letter", "notice"], "description": "notice: our acceptance notice to the saraban that sent us this letter"},
            "next_attempt_at": {"type": ["string", "null"]}}},
          "InboxEntry": {"type": "object", "properties": {"id": {"type": "integer"}, "status": {"type": "string", "enum": ["unregistered", "registered"]},
            "source": {"type": "string", "enum": ["email", "in-system", "manual"]}, "message_id": {"type": ["string", "null"]}, "subject": {"type": "string"},
            "doc_no": {"type": "string"}, "doc_date": {"type": ["string", "null"]}, "from": {"type": "string"}, "from_email": {"type": "string"},
            "received_at": {"type": "string"}, "letter_id": {"type": ["integer", "null"]}, "letter_number": {"type": ["integer", "null"]}, "letter_type": {"type": "string"},
            "attachments": {"type": "array", "items": {"type": "object"}}, "refused_attachments": {"type": "array", "items": {"type": "object", "properties": {"name": {"type": "string"}, "reason": {"type": "string"}}}}}},
          "User": {"type": "object", "properties": {"id": {"type": "integer"}, "username": {"type": "string"}, "full_name": {"type": "string"},
            "role": {"type": "string"}, "active": {"type": "boolean"}, "office_id": {"type": "string"}}}
        }
      }
    })
}

/// Behind login like every other route.
pub async fn document(_viewer: Viewer) -> Json<Value> {
    Json(spec())
}
