//! The `reproscale` binary: parse arguments, run, map the result to an exit code.

mod cli;

fn main() {
    let code = match cli::run() {
        Ok(code) => code,
        Err(failure) => {
            eprintln!("error: {}", failure.message);
            failure.code
        }
    };
    std::process::exit(code);
}
