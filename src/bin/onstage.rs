//! The `onstage` command line: check a config, replay timelines.

#[cfg(not(target_arch = "wasm32"))]
mod cli {
    use clap::{Parser, Subcommand};
    use onstage::json::Json;
    use onstage::problem::Problem;
    use std::process::ExitCode;

    #[derive(Parser)]
    #[command(name = "onstage", version, about = "Check onstage configs and replay user timelines")]
    struct Cli {
        #[command(subcommand)]
        command: Command,
    }

    #[derive(Subcommand)]
    enum Command {
        /// Print every problem of a config with its JSON path; exit 1 when any is an error.
        Validate {
            /// The config file (JSON).
            config: String,
            /// Print problems as JSON Lines: {"severity", "code", "path", "message"}.
            #[arg(long)]
            json: bool,
        },
    }

    pub fn main() -> ExitCode {
        let cli = Cli::parse();
        match cli.command {
            Command::Validate { config, json } => validate(&config, json),
        }
    }

    fn read(path: &str) -> Result<String, ExitCode> {
        std::fs::read_to_string(path).map_err(|e| {
            eprintln!("onstage: cannot read {path}: {e}");
            ExitCode::from(2)
        })
    }

    fn problem_json(p: &Problem) -> Json {
        onstage::obj! {
            "severity" => if p.is_error() { "error" } else { "warning" },
            "code" => p.code.as_str(),
            "path" => p.path.to_string(),
            "message" => p.message.as_str(),
        }
    }

    fn validate(path: &str, as_json: bool) -> ExitCode {
        let text = match read(path) {
            Ok(t) => t,
            Err(code) => return code,
        };
        let problems = match onstage::config::compile_text(&text) {
            Ok(c) => c.warnings,
            Err(problems) => problems,
        };
        let errors = problems.iter().filter(|p| p.is_error()).count();
        let warnings = problems.len() - errors;
        for p in &problems {
            if as_json {
                println!("{}", problem_json(p));
            } else {
                println!("{p}");
            }
        }
        if !as_json {
            match errors {
                0 => eprintln!("{path}: valid ({warnings} warning{})", if warnings == 1 { "" } else { "s" }),
                n => eprintln!("{path}: {n} error{}, {warnings} warning{}", plural(n), plural(warnings)),
            }
        }
        if errors > 0 {
            ExitCode::from(1)
        } else {
            ExitCode::SUCCESS
        }
    }

    fn plural(n: usize) -> &'static str {
        if n == 1 {
            ""
        } else {
            "s"
        }
    }
}

#[cfg(not(target_arch = "wasm32"))]
fn main() -> std::process::ExitCode {
    cli::main()
}

#[cfg(target_arch = "wasm32")]
fn main() {}
