//! Embeds `schema/*.sql` into the binary so a deployed server can migrate its own
//! database, and compiles `proto/` (with protox: no system `protoc` needed).

use std::{env, fs, path::Path};

fn main() {
    embed_migrations();
    compile_protos();
}

fn compile_protos() {
    println!("cargo:rerun-if-changed=proto");
    let descriptors = protox::compile(["proto/simple_bank.proto"], ["proto"])
        .unwrap_or_else(|err| panic!("proto/simple_bank.proto: {err}"));
    // Reflection serves this set; `compile_fds` does not write it itself.
    let out = Path::new(&env::var("OUT_DIR").expect("cargo sets OUT_DIR"))
        .join("simplebank_descriptor.bin");
    fs::write(out, prost::Message::encode_to_vec(&descriptors)).expect("write the descriptor set");
    tonic_prost_build::configure()
        // Prost with undecodable requests answered INVALID_ARGUMENT, not INTERNAL.
        .codec_path("crate::grpc::limits::BankCodec")
        .build_client(true)
        .build_server(true)
        .compile_fds(descriptors)
        .expect("generate gRPC code");
}

fn embed_migrations() {
    let schema_dir = Path::new("schema");
    println!("cargo:rerun-if-changed=schema");

    let mut versions: Vec<(u64, String, String)> = Vec::new();
    for entry in fs::read_dir(schema_dir).expect("schema/ must exist") {
        let file_name = entry.expect("readable schema/ entry").file_name();
        let file_name = file_name.to_string_lossy().into_owned();
        let Some(stem) = file_name.strip_suffix(".up.sql") else {
            continue;
        };
        let (version, name) = stem
            .split_once('_')
            .unwrap_or_else(|| panic!("{file_name}: expected NNNNNN_name.up.sql"));
        let version: u64 = version
            .parse()
            .unwrap_or_else(|_| panic!("{file_name}: the version must be a number"));
        let down = schema_dir.join(format!("{stem}.down.sql"));
        assert!(down.exists(), "{file_name} has no matching {stem}.down.sql");
        versions.push((version, name.to_owned(), stem.to_owned()));
    }
    versions.sort();
    for pair in versions.windows(2) {
        assert!(
            pair[0].0 != pair[1].0,
            "two migrations share version {}",
            pair[0].0
        );
    }

    let root = env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let mut code = String::from("&[\n");
    for (version, name, stem) in &versions {
        code.push_str(&format!(
            "    Migration {{ version: {version}, name: {name:?}, up: include_str!({up:?}), down: include_str!({down:?}) }},\n",
            up = format!("{root}/schema/{stem}.up.sql"),
            down = format!("{root}/schema/{stem}.down.sql"),
        ));
    }
    code.push_str("]\n");
    let out = Path::new(&env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("migrations.rs");
    fs::write(out, code).expect("write migrations.rs");
}
