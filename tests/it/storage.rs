//! The register is the legal record: the database itself refuses deletion and renumbering.

use crate::both_dbs;
use crate::helpers::{Db, spawn_app};

async fn entries_are_never_deleted_or_renumbered(db: Db) {
    let w = spawn_app(db).await.world().await;
    let app = &w.app;
    let letter = app.inbound(&w.clerk, "หลักฐานทางราชการ").await;
    let id = letter["id"].as_i64().unwrap();
    let pool = app.store.pool();
    let deleted = sqlx::query("DELETE FROM letters WHERE id = $1")
        .bind(id)
        .execute(pool)
        .await;
    assert!(
        deleted.is_err(),
        "a registered letter must not be deletable"
    );
    let renumbered = sqlx::query("UPDATE letters SET number = 99 WHERE id = $1")
        .bind(id)
        .execute(pool)
        .await;
    assert!(renumbered.is_err(), "a register number must not change");
    let history = sqlx::query("DELETE FROM letter_events").execute(pool).await;
    assert!(history.is_err(), "history is append-only");
    let (status, again) = app
        .get_json(&w.clerk, &format!("/api/v1/letters/{id}"))
        .await;
    assert_eq!(status, 200);
    assert_eq!(again["number"], 1);
    // A duplicate number in the same series and year is refused by the UNIQUE key.
    let dup = sqlx::query(
        "INSERT INTO letters (office_id, register, series, year_be, number, doc_no, doc_date, sender, recipient,
            subject, speed, secrecy, letter_type, registered_at, registered_by, updated_at, search_all,
            search_subject, search_doc_no, search_sender, search_recipient)
         SELECT office_id, register, series, year_be, number, doc_no, doc_date, sender, recipient, subject, speed,
            secrecy, letter_type, registered_at, registered_by, updated_at, search_all, search_subject,
            search_doc_no, search_sender, search_recipient FROM letters WHERE id = $1",
    )
    .bind(id)
    .execute(pool)
    .await;
    assert!(dup.is_err(), "the same number twice must be refused");
}
both_dbs!(never_deleted, entries_are_never_deleted_or_renumbered);
