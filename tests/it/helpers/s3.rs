//! A private SeaweedFS as the tests use it: saraban's `[storage.s3]` pointed at one of its
//! buckets, and a client of that bucket for looking (or tampering) behind saraban's back.

use object_store::aws::{AmazonS3, AmazonS3Builder};
use saraban::config::Config;
use saraban_lab::s3::SeaweedS3;

/// `[storage.s3]` for `bucket` in `s3` (the backend itself is left as it is).
pub fn s3_section(config: &mut Config, s3: &SeaweedS3, bucket: &str) {
    config.storage.s3.endpoint = s3.endpoint();
    config.storage.s3.bucket = bucket.into();
    config.storage.s3.access_key_id = s3.access_key.clone();
    config.storage.s3.secret_access_key = saraban::security::Secret::new(s3.secret_key.clone());
}

/// Files in `bucket` of `s3`: `storage.backend = "s3"` and its section.
pub fn files_in(config: &mut Config, s3: &SeaweedS3, bucket: &str) {
    config.storage.backend = "s3".into();
    s3_section(config, s3, bucket);
}

/// A client of `bucket`, straight to the object store.
pub fn bucket(s3: &SeaweedS3, bucket: &str) -> AmazonS3 {
    AmazonS3Builder::new()
        .with_endpoint(s3.endpoint())
        .with_bucket_name(bucket)
        .with_region("us-east-1")
        .with_access_key_id(&s3.access_key)
        .with_secret_access_key(&s3.secret_key)
        .with_allow_http(true)
        .build()
        .expect("S3 client")
}
