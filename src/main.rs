use clap::Parser;

fn main() {
    std::process::exit(kontrakt::cli::main(kontrakt::cli::Cli::parse()));
}
