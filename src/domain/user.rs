//! Users, their roles, and what each role may do.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use thiserror::Error;

use super::register::Register;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// ผู้ดูแลระบบ
    Admin,
    /// ผู้อำนวยการ
    Director,
    /// รองผู้อำนวยการ
    Deputy,
    /// เจ้าหน้าที่ธุรการ (สารบรรณ)
    Clerk,
    /// บุคลากร / ครู
    Staff,
}

impl Role {
    pub const ALL: [Role; 5] = [
        Role::Admin,
        Role::Director,
        Role::Deputy,
        Role::Clerk,
        Role::Staff,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Director => "director",
            Role::Deputy => "deputy",
            Role::Clerk => "clerk",
            Role::Staff => "staff",
        }
    }

    pub fn parse(code: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.code() == code.trim())
    }

    pub fn label(self) -> &'static str {
        match self {
            Role::Admin => "ผู้ดูแลระบบ",
            Role::Director => "ผู้อำนวยการ",
            Role::Deputy => "รองผู้อำนวยการ",
            Role::Clerk => "เจ้าหน้าที่ธุรการ",
            Role::Staff => "บุคลากร",
        }
    }

    /// Registering gives a letter its number: the saraban officer's job (the manual: "ดำเนินการโดย
    /// เจ้าหน้าที่ธุรการ/ผู้ปฏิบัติหน้าที่ธุรการ เท่านั้น"), and the administrator's.
    pub fn can_register(self, _register: Register) -> bool {
        matches!(self, Role::Admin | Role::Clerk)
    }

    /// The saraban desk's inbox (หนังสือรับ): the officers who register and the executives.
    pub fn can_read_inbox(self) -> bool {
        !matches!(self, Role::Staff)
    }

    /// Cancelling keeps the number and records the reason; the same people as registering, plus
    /// the director who answers for the register.
    pub fn can_cancel(self) -> bool {
        matches!(self, Role::Admin | Role::Clerk | Role::Director)
    }

    /// The register settings (calendar years, starting numbers, prefix): the manual gives them to
    /// the director, the deputy and the clerk.
    pub fn can_manage_settings(self) -> bool {
        matches!(
            self,
            Role::Admin | Role::Director | Role::Deputy | Role::Clerk
        )
    }

    /// Adding officers (กำหนดเจ้าหน้าที่).
    pub fn can_manage_users(self) -> bool {
        matches!(self, Role::Admin | Role::Director | Role::Clerk)
    }

    /// A user may give another user only a role no higher than their own, and only an
    /// administrator creates administrators.
    pub fn can_grant(self, role: Role) -> bool {
        self.can_manage_users() && (self == Role::Admin || (role != Role::Admin && role >= self))
    }
}

/// Who may still change a registered entry, and until when. Like AMSS++, the saraban officer may
/// correct an entry for a while after registering it; later corrections need an administrator.
/// Every edit is recorded with the old values either way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EditPolicy {
    /// How long after registration a clerk may still edit.
    pub clerk_window: Duration,
}

#[derive(Debug, Error, PartialEq, Eq)]
pub enum EditRefusal {
    #[error("รายการนี้ถูกยกเลิกแล้ว จึงแก้ไขไม่ได้")]
    Cancelled,
    #[error("สิทธิ์ของท่านไม่สามารถแก้ไขทะเบียนได้")]
    Role,
    #[error("เลยเวลาที่เจ้าหน้าที่แก้ไขได้แล้ว ({hours} ชั่วโมงหลังลงทะเบียน) กรุณาติดต่อผู้ดูแลระบบ")]
    WindowClosed { hours: i64 },
}

impl EditPolicy {
    pub fn check(
        &self,
        role: Role,
        cancelled: bool,
        registered_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<(), EditRefusal> {
        if cancelled {
            return Err(EditRefusal::Cancelled);
        }
        match role {
            Role::Admin => Ok(()),
            Role::Clerk if now - registered_at <= self.clerk_window => Ok(()),
            Role::Clerk => Err(EditRefusal::WindowClosed {
                hours: self.clerk_window.num_hours(),
            }),
            _ => Err(EditRefusal::Role),
        }
    }
}

#[derive(Debug, Error, PartialEq, Eq)]
pub enum UserError {
    #[error("ชื่อผู้ใช้ต้องยาว 2–64 ตัว และไม่มีช่องว่าง")]
    BadUsername,
    #[error("รหัสผ่านต้องยาวอย่างน้อย 8 ตัวอักษร")]
    WeakPassword,
}

pub fn parse_username(input: &str) -> Result<String, UserError> {
    let name = input.trim();
    let len = name.chars().count();
    if (2..=64).contains(&len) && !name.chars().any(|c| c.is_whitespace() || c.is_control()) {
        Ok(name.to_string())
    } else {
        Err(UserError::BadUsername)
    }
}

pub fn check_password(password: &str) -> Result<(), UserError> {
    if password.chars().count() >= 8 {
        Ok(())
    } else {
        Err(UserError::WeakPassword)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn only_saraban_officers_and_admins_register() {
        assert!(Role::Clerk.can_register(Register::Inbound));
        assert!(Role::Admin.can_register(Register::Order));
        assert!(!Role::Staff.can_register(Register::Inbound));
        assert!(!Role::Director.can_register(Register::Outbound));
    }

    #[test]
    fn nobody_grants_more_than_they_have() {
        assert!(Role::Admin.can_grant(Role::Admin));
        assert!(Role::Director.can_grant(Role::Clerk));
        assert!(!Role::Director.can_grant(Role::Admin));
        assert!(!Role::Clerk.can_grant(Role::Director));
        assert!(Role::Clerk.can_grant(Role::Staff));
        assert!(!Role::Staff.can_grant(Role::Staff));
    }

    #[test]
    fn clerks_edit_within_the_window_admins_always_nobody_after_cancel() {
        let policy = EditPolicy {
            clerk_window: Duration::hours(24),
        };
        let at = Utc.with_ymd_and_hms(2023, 5, 8, 3, 0, 0).unwrap();
        let soon = at + Duration::hours(2);
        let late = at + Duration::hours(25);
        assert_eq!(policy.check(Role::Clerk, false, at, soon), Ok(()));
        assert_eq!(
            policy.check(Role::Clerk, false, at, late),
            Err(EditRefusal::WindowClosed { hours: 24 })
        );
        assert_eq!(policy.check(Role::Admin, false, at, late), Ok(()));
        assert_eq!(
            policy.check(Role::Staff, false, at, soon),
            Err(EditRefusal::Role)
        );
        assert_eq!(
            policy.check(Role::Admin, true, at, soon),
            Err(EditRefusal::Cancelled)
        );
    }

    #[test]
    fn usernames_and_passwords() {
        assert_eq!(parse_username(" clerk1 "), Ok("clerk1".into()));
        assert!(parse_username("a b").is_err());
        assert!(check_password("short").is_err());
        assert!(check_password("ยาวพอแล้วนะ").is_ok());
    }
}
