//! The states of what arrives: where an inbox entry came from, what became of a quarantined
//! message, the kinds of notice that are not letters, and what a mailbox receipt records.

use super::codes::state_enum;

state_enum!(
    /// Where an inbox entry came from.
    EntrySource "entry source", {
        Email = "email", "อีเมล";
        InSystem = "in-system", "ในระบบ";
        Manual = "manual", "บันทึกเอง";
    }
);

state_enum!(
    /// Which box of หนังสือรับ a page or an API call looks at (`?box=`).
    LetterBox "inbox box", {
        /// The office's inbox: everything that arrived, by e-mail or in-system.
        All = "all", "ทั้งหมด";
        /// The saraban desk's inbox (the same arrivals, as the desk sees them).
        Saraban = "saraban", "สารบรรณกลาง";
        /// Registered letters given to one of the user's work groups.
        Group = "group", "กลุ่มงาน";
        /// Registered letters given to the user.
        Personal = "personal", "ส่วนบุคคล";
    }
);

impl LetterBox {
    /// The box a query names; no or an unknown name is the whole inbox.
    pub fn from_query(code: &str) -> LetterBox {
        LetterBox::from_code(code).unwrap_or(LetterBox::All)
    }

    /// The boxes of letters given to people, not of arrivals.
    pub fn is_given(self) -> bool {
        matches!(self, LetterBox::Group | LetterBox::Personal)
    }
}

state_enum!(
    /// The inbox's status filter (`?status=`), the manual's list of what a clerk looks for.
    InboxFilter "inbox status", {
        All = "all", "ทั้งหมด";
        /// Waiting: neither registered nor dismissed.
        Unregistered = "unregistered", "ยังไม่ได้ลงทะเบียนรับ";
        Registered = "registered", "ลงทะเบียนรับแล้ว";
        /// Registered but given to nobody yet.
        NotForwarded = "not_forwarded", "ยังไม่ได้ส่งต่อ";
        WithFiles = "with_files", "มีไฟล์เอกสาร";
        /// Not a letter: set aside with a reason, kept.
        Dismissed = "dismissed", "ไม่ใช่หนังสือราชการ";
    }
);

/// Why a mail is not a letter: the clerk's reason, folded and required.
pub fn dismiss_reason(text: &str) -> Result<String, &'static str> {
    let reason = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if reason.is_empty() {
        Err("กรุณาระบุเหตุผลที่ไม่ใช่หนังสือราชการ")
    } else if reason.chars().count() > 500 {
        Err("เหตุผลยาวเกินไป (ไม่เกิน 500 ตัวอักษร)")
    } else {
        Ok(reason)
    }
}

state_enum!(
    /// What became of a message that could not be read as a letter.
    QuarantineStatus "quarantine status", {
        /// Waiting for the clerk.
        Open = "open", "รอตรวจสอบ";
        /// Taken into the inbox after all.
        Released = "released", "นำเข้าแล้ว";
        /// Kept, but not taken in.
        Dismissed = "dismissed", "ไม่นำเข้า";
    }
);

state_enum!(
    /// A mail that is about a letter, not a letter itself.
    NoticeKind "notice kind", {
        /// "I am away" and other automatic answers (RFC 3834).
        AutoReply = "auto_reply", "ตอบกลับอัตโนมัติ";
        /// A receiving saraban's notice that it registered our letter.
        Acceptance = "acceptance", "แจ้งลงทะเบียนรับ";
        /// A delivery status notification (RFC 3464): bounced or delayed.
        DeliveryReport = "delivery_report", "รายงานการส่ง";
    }
);

state_enum!(
    /// The `Action` of a delivery status notification (RFC 3464 §2.3.3).
    DsnAction "delivery report action", {
        Failed = "failed", "ส่งไม่สำเร็จ";
        Delayed = "delayed", "ส่งล่าช้า";
        Delivered = "delivered", "ส่งถึงแล้ว";
        Relayed = "relayed", "ส่งต่อแล้ว";
        Expanded = "expanded", "กระจายแล้ว";
    }
);

state_enum!(
    /// What one message taken from a mailbox became (`mail_receipts.outcome`).
    ReceiptOutcome "receipt outcome", {
        /// Not yet decided: the message is being taken in.
        Pending = "pending", "กำลังนำเข้า";
        Letter = "letter", "หนังสือ";
        /// A letter already in the inbox (same Message-ID or content).
        Duplicate = "duplicate", "ซ้ำ";
        Quarantine = "quarantine", "กักไว้";
        AutoReply = "auto_reply", "ตอบกลับอัตโนมัติ";
        Acceptance = "acceptance", "แจ้งลงทะเบียนรับ";
        DeliveryReport = "delivery_report", "รายงานการส่ง";
    }
);

impl From<NoticeKind> for ReceiptOutcome {
    fn from(kind: NoticeKind) -> Self {
        match kind {
            NoticeKind::AutoReply => ReceiptOutcome::AutoReply,
            NoticeKind::Acceptance => ReceiptOutcome::Acceptance,
            NoticeKind::DeliveryReport => ReceiptOutcome::DeliveryReport,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_notice_kind_is_a_receipt_outcome_of_the_same_code() {
        for kind in [
            NoticeKind::AutoReply,
            NoticeKind::Acceptance,
            NoticeKind::DeliveryReport,
        ] {
            assert_eq!(ReceiptOutcome::from(kind).code(), kind.code());
        }
    }
}
