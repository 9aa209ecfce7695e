use clap::Parser;

/// The runner allocates and frees a few hundred small blocks per exchange (parsed trees,
/// validator state, HTTP heads); mimalloc serves them with measurably fewer instructions than
/// glibc's allocator (see benches/README.md). `no_thp` keeps it from backing its heap with
/// transparent huge pages, which would double the resident memory of a soak for no gain.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    std::process::exit(kontrakt::cli::main(kontrakt::cli::Cli::parse()));
}
