//! Links libmediasoup-worker from MEDIASOUP_WORKER_LIB_DIR (out/lib), statically by default,
//! as a shared library with MEDIASOUP_WORKER_LINK=dylib.
use std::env;

fn main() {
    println!("cargo:rerun-if-env-changed=MEDIASOUP_WORKER_LIB_DIR");
    println!("cargo:rerun-if-env-changed=MEDIASOUP_WORKER_LINK");
    let dir = env::var("MEDIASOUP_WORKER_LIB_DIR")
        .expect("MEDIASOUP_WORKER_LIB_DIR: the directory holding libmediasoup-worker.a/.so (out/lib)");
    let kind = env::var("MEDIASOUP_WORKER_LINK").unwrap_or_else(|_| "static".to_string());
    assert!(kind == "static" || kind == "dylib", "MEDIASOUP_WORKER_LINK is static or dylib");
    println!("cargo:rerun-if-changed={dir}/libmediasoup-worker.a");
    println!("cargo:rerun-if-changed={dir}/libmediasoup-worker.so");
    println!("cargo:rustc-link-search=native={dir}");
    println!("cargo:rustc-link-lib={kind}=mediasoup-worker");
    // What the NativeAOT runtime inside needs from the system (libc besides).
    for lib in ["pthread", "dl", "m", "rt"] {
        println!("cargo:rustc-link-lib=dylib={lib}");
    }
}
