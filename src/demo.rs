//! `saraban demo`: a district, two schools, one user per role, and a few letters to look at.

use crate::domain::letter::{LetterInput, Speed};
use crate::domain::register::Register;
use crate::service::{Actor, NewUserInput, ServiceError, Services, create_office, create_user};
use crate::store::StoreError;

pub const DEMO_PASSWORD: &str = "saraban-demo";

pub struct DemoLogin {
    pub office: String,
    pub username: String,
    pub role: &'static str,
}

/// Creates the demo data once; a second run only lists the logins.
pub async fn create(services: &Services) -> Result<Vec<DemoLogin>, ServiceError> {
    let store = &services.store();
    let offices = [
        (
            "ubn1",
            "สำนักงานเขตพื้นที่การศึกษาประถมศึกษาอุบลราชธานี เขต 1",
            "ศธ 04183",
            "district",
            None,
            Some("saraban04183@example.go.th"),
        ),
        (
            "anuban",
            "โรงเรียนอนุบาลอุบลราชธานี",
            "ศธ 04183.006",
            "school",
            Some("ubn1"),
            Some("anuban@example.go.th"),
        ),
        (
            "nongbua",
            "โรงเรียนบ้านหนองบัว",
            "ศธ 04183.101",
            "school",
            Some("ubn1"),
            None,
        ),
    ];
    let users: [(&str, &str, &str, &str); 9] = [
        ("ubn1", "admin", "admin", "ผู้ดูแลระบบ เขต"),
        ("ubn1", "director", "director", "นายสมชาย ใจดี"),
        ("ubn1", "deputy", "deputy", "นายสุบรรณ ลาสา"),
        ("ubn1", "clerk", "clerk", "นางสาวกฤตติ อัจฉาสี"),
        ("ubn1", "staff", "staff", "นายปกรณ์ วงศ์ยาลี"),
        ("anuban", "anuban-director", "director", "นางสาวมาลี ศรีสุข"),
        ("anuban", "anuban-clerk", "clerk", "นายสุรการ อนุบาล"),
        ("anuban", "anuban-teacher", "staff", "นางสาวจันทร์ เพ็ญ"),
        ("nongbua", "nongbua-clerk", "clerk", "นางบัว หนองน้ำ"),
    ];
    let fresh = matches!(store.find_office("ubn1").await, Err(StoreError::NotFound));
    if fresh {
        for (id, name, prefix, kind, parent, email) in offices {
            create_office(store, id, name, prefix, kind, parent, email).await?;
        }
        for (office, username, role, full_name) in users {
            create_user(
                store,
                office,
                &NewUserInput {
                    username: username.into(),
                    full_name: full_name.into(),
                    role: role.into(),
                    password: DEMO_PASSWORD.into(),
                },
            )
            .await?;
        }
        // A work group of the district, to forward letters to.
        services
            .create_work_group("ubn1", "promote", "กลุ่มส่งเสริมการจัดการศึกษา")
            .await?;
        services.add_work_group_member("promote", "staff").await?;
        sample_letters(services).await?;
    }
    Ok(users
        .iter()
        .map(|(office, username, role, _)| DemoLogin {
            office: office.to_string(),
            username: username.to_string(),
            role,
        })
        .collect())
}

async fn sample_letters(services: &Services) -> Result<(), ServiceError> {
    let store = &services.store();
    let actor = Actor {
        user: store.find_user_by_name("clerk").await?,
        office: store.find_office("ubn1").await?,
    };
    let inbound = [
        (
            "ศธ 04006/ว1234",
            "2 พ.ค. 2566",
            "สำนักงานคณะกรรมการการศึกษาขั้นพื้นฐาน",
            "การอบรมเชิงปฏิบัติการโครงการบ้านนักวิทยาศาสตร์น้อย ประเทศไทย",
            Speed::MostUrgent,
        ),
        (
            "ศธ 04183.006/130",
            "28 เม.ย. 2566",
            "โรงเรียนอนุบาลอุบลราชธานี",
            "ขออนุญาตไปราชการ",
            Speed::Normal,
        ),
        (
            "ศธ 0206.4/ว77",
            "8 พ.ค. 2566",
            "สำนักงานศึกษาธิการจังหวัดอุบลราชธานี",
            "ประชาสัมพันธ์โครงการประกวดภาพถ่ายศิลปะเด็กไทย",
            Speed::Urgent,
        ),
    ];
    for (doc_no, date, from, subject, speed) in inbound {
        let input = LetterInput {
            doc_no: doc_no.into(),
            doc_date: date.into(),
            from: from.into(),
            subject: subject.into(),
            speed: speed.code().into(),
            ..Default::default()
        };
        let letter = services
            .register_letter(&actor, Register::Inbound, &input, Vec::new(), &[])
            .await?;
        // The first letter goes on its journey: proposed to the director, given to a group.
        if speed == Speed::MostUrgent {
            services
                .propose(
                    &actor,
                    letter.id,
                    "director",
                    "เห็นควรมอบกลุ่มส่งเสริมการจัดการศึกษาดำเนินการ",
                )
                .await?;
            services
                .forward(
                    &actor,
                    letter.id,
                    &[crate::service::journey::TargetInput {
                        user: None,
                        group: Some("promote".into()),
                    }],
                    "โปรดดำเนินการ",
                    "",
                )
                .await?;
        }
    }
    let outbound = LetterInput {
        to: "ผู้อำนวยการโรงเรียนในสังกัด".into(),
        subject: "การบริหารจัดการข้อมูลสารสนเทศทางการศึกษา ปีการศึกษา 2566".into(),
        ..Default::default()
    };
    services
        .register_letter(&actor, Register::Circular, &outbound, Vec::new(), &[])
        .await?;
    Ok(())
}
