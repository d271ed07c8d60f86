//! The `reproscale` binary: parse arguments, run, map the result to an exit code.

mod cli;

/// Stack for the command and for each worker thread. Syntax trees are walked
/// recursively; files nested past what Python compiles are refused before parsing
/// (`facts::nesting`), and this leaves ample room for everything below that bound,
/// even in debug builds. Only touched pages are ever committed.
const STACK_BYTES: usize = 512 << 20;

// Parsing and fact extraction allocate many small short-lived values on every
// thread; mimalloc's per-thread free lists make that markedly cheaper than glibc.
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    // A second initialisation can only fail if something already built the pool.
    let _ = rayon::ThreadPoolBuilder::new()
        .stack_size(STACK_BYTES)
        .build_global();
    let code = std::thread::Builder::new()
        .name("reproscale".into())
        .stack_size(STACK_BYTES)
        .spawn(run)
        .map_or_else(|_| run(), |worker| worker.join().unwrap_or(101));
    std::process::exit(code);
}

fn run() -> i32 {
    match cli::run() {
        Ok(code) => code,
        Err(failure) => {
            reproscale::note!("error: {}", reproscale::render::inert(&failure.message));
            failure.code
        }
    }
}
