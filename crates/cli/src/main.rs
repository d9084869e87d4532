//! The `onstage` command line: check a config, compile it into a plan,
//! replay timelines, evaluate every user of an event file (`batch`).
//! Every command that takes a config takes its compiled plan as well.
//!
//! Exit status, the same for every command: 0 when it did its work (a
//! config with warnings only is valid); 1 when the input is refused (a
//! config with an error, a bad step or event line, a file or line over a
//! limit); 2 when a file cannot be read or the output written, or the
//! command line itself is wrong.

mod batch;
mod tables;

/// The replay allocates and frees small values at every step (props,
/// journal entries, output lines): mimalloc's thread-local free lists take
/// a fraction of glibc malloc's instructions for them. Measured:
/// docs/architecture.md ("Replay speed").
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod cli {
    use clap::{Parser, Subcommand};
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
        /// Given a plan, say whether this version of onstage can read it.
        Validate {
            /// The config file (JSON), or its compiled plan.
            config: String,
            /// Print problems as JSON Lines: {"severity", "code", "path", "message"}.
            #[arg(long)]
            json: bool,
        },
        /// Compile a config into a plan (JSON text that this version of onstage reads without the compiler).
        /// Warnings go to standard error; exit 1 with every problem when the config has an error.
        Compile {
            /// The config file (JSON), or its compiled plan.
            config: String,
            /// Write the plan to this file (default: standard output).
            #[arg(short, long)]
            out: Option<String>,
        },
        /// Turn an event export (JSON Lines {"user", "name", "at", "props"}) into one import summary per user.
        Summarize {
            /// The config file (JSON), or its compiled plan.
            config: String,
            /// The event export (JSON Lines; `-` reads standard input).
            events: String,
            /// The moment the summaries describe (RFC 3339): later events are left out.
            #[arg(long = "as-of")]
            as_of: String,
        },
        /// Replay a timeline (JSON Lines) and print one JSON line per decide step.
        Simulate {
            /// The config file (JSON), or its compiled plan.
            config: String,
            /// The timeline (JSON Lines; `-` reads standard input).
            timeline: String,
            /// Print "reasons": null instead of each decision's reasons.
            #[arg(long)]
            no_reasons: bool,
        },
        /// Evaluate every user of an event file (Parquet, CSV or JSON Lines) at one moment, on every core:
        /// one row per user sorted by user id, as simulate would print each user's decide "*" at --as-of.
        Batch {
            /// The config file (JSON), or its compiled plan.
            config: String,
            /// The events: columns user, name, at (RFC 3339 or a timestamp), props (JSON or a struct).
            events: String,
            /// The moment to evaluate at (RFC 3339): later events are left out and counted.
            #[arg(long = "as-of")]
            as_of: String,
            /// Identify data, one row per user: user, attributes, entitlements (JSON), tz_offset_minutes.
            #[arg(long)]
            identify: Option<String>,
            /// The events' format (default: by the extension: .parquet, .csv, .jsonl).
            #[arg(long = "input-format", value_enum)]
            input_format: Option<crate::tables::Format>,
            /// Write to this file (default: standard output).
            #[arg(long)]
            out: Option<String>,
            /// The output format (default: parquet for an --out ending in .parquet, else jsonl).
            #[arg(long, value_enum)]
            format: Option<crate::batch::OutFormat>,
            /// Threads to use (default 0: every core).
            #[arg(long, default_value_t = 0)]
            threads: usize,
        },
    }

    pub fn main() -> ExitCode {
        let cli = Cli::parse();
        match cli.command {
            Command::Validate { config, json } => validate(&config, json),
            Command::Compile { config, out } => compile(&config, out.as_deref()),
            Command::Simulate { config, timeline, no_reasons } => simulate(&config, &timeline, !no_reasons),
            Command::Summarize { config, events, as_of } => summarize(&config, &events, &as_of),
            Command::Batch { config, events, as_of, identify, input_format, out, format, threads } => {
                let as_of = match onstage::time::parse_rfc3339(&as_of) {
                    Ok(t) => t,
                    Err(e) => {
                        eprintln!("onstage: --as-of: {e}");
                        return ExitCode::from(IO);
                    }
                };
                let args = crate::batch::Args { config, events, as_of, identify, input_format, out, format, threads };
                batch(&args)
            }
        }
    }

    fn batch(args: &crate::batch::Args) -> ExitCode {
        let config = match load_config(&args.config) {
            Ok(c) => c,
            Err(code) => return code,
        };
        let evaluator = onstage_arrow::Evaluator::from_compiled(config);
        match crate::batch::run(args, &evaluator) {
            Ok(0) => ExitCode::SUCCESS,
            Ok(n) => {
                eprintln!("onstage: {}: {n} row{} refused", args.events, plural(n));
                ExitCode::from(REFUSED)
            }
            Err(crate::batch::Failure::Refused(e)) => {
                eprintln!("onstage: {}: {e}", args.events);
                ExitCode::from(REFUSED)
            }
            Err(crate::batch::Failure::Io(e)) => {
                eprintln!("onstage: {e}");
                ExitCode::from(IO)
            }
        }
    }

    /// The input was refused (exit 1).
    const REFUSED: u8 = 1;
    /// A file could not be read or the output written, or the command line is wrong (exit 2).
    const IO: u8 = 2;

    /// The largest plan read, in bytes: a plan can be larger than its
    /// config (each variation and tour step carries its merged content).
    const MAX_PLAN_BYTES: usize = 16 * onstage::config::MAX_CONFIG_BYTES;

    /// A config file's text (or a plan's). Only one byte past the limit is
    /// read, so a file of any size (`/dev/zero`) is refused at once with
    /// `limit_exceeded`; text that is not UTF-8 is `invalid_json`. A plan
    /// may be larger: past the config's limit, a text that starts as a
    /// plan is read on up to `MAX_PLAN_BYTES`.
    fn read(path: &str) -> Result<Result<String, Problem>, ExitCode> {
        use std::io::Read;
        let mut limit = onstage::config::MAX_CONFIG_BYTES;
        let mut bytes = Vec::new();
        let read = std::fs::File::open(path).and_then(|mut f| {
            (&mut f).take(u64::try_from(limit).unwrap_or(u64::MAX) + 1).read_to_end(&mut bytes)?;
            if bytes.len() > limit && onstage::plan::is_plan(&String::from_utf8_lossy(&bytes)) {
                limit = MAX_PLAN_BYTES;
                f.take(u64::try_from(limit - bytes.len()).unwrap_or(u64::MAX) + 1).read_to_end(&mut bytes)?;
            }
            Ok(())
        });
        if let Err(e) = read {
            eprintln!("onstage: cannot read {path}: {e}");
            return Err(ExitCode::from(IO));
        }
        let root = onstage::problem::JsonPath::root();
        let code = onstage::ErrorCode::LimitExceeded;
        if bytes.len() > limit {
            let what = if limit == MAX_PLAN_BYTES { "plan" } else { "config" };
            return Ok(Err(Problem::new(code, &root, format!("the {what} is more than {limit} bytes, the limit"))));
        }
        Ok(String::from_utf8(bytes)
            .map_err(|_| Problem::new(onstage::ErrorCode::InvalidJson, &root, "the config is not UTF-8 text")))
    }

    fn validate(path: &str, as_json: bool) -> ExitCode {
        let mut is_plan = false;
        let problems = match read(path) {
            Ok(Ok(text)) => {
                is_plan = onstage::plan::is_plan(&text);
                match onstage::config::load_text(&text) {
                    Ok(c) => c.warnings,
                    Err(problems) => problems,
                }
            }
            Ok(Err(problem)) => vec![problem],
            Err(code) => return code,
        };
        let errors = problems.iter().filter(|p| p.is_error()).count();
        let warnings = problems.len() - errors;
        for p in &problems {
            if as_json {
                let mut line = String::new();
                p.write_json(&mut line);
                println!("{line}");
            } else {
                println!("{p}");
            }
        }
        if !as_json {
            match errors {
                0 if is_plan => eprintln!("{path}: a valid plan for onstage {}", onstage::plan::VERSION),
                0 => eprintln!("{path}: valid ({warnings} warning{})", if warnings == 1 { "" } else { "s" }),
                n => eprintln!("{path}: {n} error{}, {warnings} warning{}", plural(n), plural(warnings)),
            }
        }
        if errors > 0 {
            ExitCode::from(REFUSED)
        } else {
            ExitCode::SUCCESS
        }
    }

    /// Writes the plan of a config; warnings to standard error.
    fn compile(path: &str, out: Option<&str>) -> ExitCode {
        let compiled = match read(path) {
            Ok(Ok(text)) => onstage::config::load_text(&text),
            Ok(Err(problem)) => Err(vec![problem]),
            Err(code) => return code,
        };
        let compiled = match compiled {
            Ok(c) => c,
            Err(problems) => {
                eprintln!("onstage: {path} is not a valid config:");
                for p in problems {
                    eprintln!("  {p}");
                }
                return ExitCode::from(REFUSED);
            }
        };
        for p in &compiled.warnings {
            eprintln!("{p}");
        }
        let mut text = onstage::plan::write(&compiled.config);
        text.push('\n');
        let written = match out {
            Some(file) => std::fs::write(file, &text).map_err(|e| format!("cannot write {file}: {e}")),
            None => {
                use std::io::Write;
                let mut stdout = std::io::stdout().lock();
                stdout.write_all(text.as_bytes()).and_then(|()| stdout.flush()).map_err(|e| format!("{e}"))
            }
        };
        match written {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("onstage: {e}");
                ExitCode::from(IO)
            }
        }
    }

    fn load_config(path: &str) -> Result<std::sync::Arc<onstage::CompiledConfig>, ExitCode> {
        let compiled = match read(path)? {
            Ok(text) => onstage::config::load_text(&text),
            Err(problem) => Err(vec![problem]),
        };
        match compiled {
            Ok(c) => Ok(std::sync::Arc::new(c.config)),
            Err(problems) => {
                eprintln!("onstage: {path} is not a valid config:");
                for p in problems {
                    eprintln!("  {p}");
                }
                Err(ExitCode::from(REFUSED))
            }
        }
    }

    fn open(path: &str) -> Result<Box<dyn std::io::BufRead>, ExitCode> {
        if path == "-" {
            return Ok(Box::new(std::io::stdin().lock()));
        }
        match std::fs::File::open(path) {
            Ok(f) => Ok(Box::new(std::io::BufReader::new(f))),
            Err(e) => {
                eprintln!("onstage: cannot read {path}: {e}");
                Err(ExitCode::from(IO))
            }
        }
    }

    fn summarize(config: &str, events: &str, as_of: &str) -> ExitCode {
        let as_of = match onstage::time::parse_rfc3339(as_of) {
            Ok(t) => t,
            Err(e) => {
                eprintln!("onstage: --as-of: {e}");
                return ExitCode::from(IO);
            }
        };
        let (config, input) = match (load_config(config), open(events)) {
            (Ok(c), Ok(i)) => (c, i),
            (Err(code), _) | (_, Err(code)) => return code,
        };
        let out = std::io::BufWriter::new(std::io::stdout().lock());
        match onstage::summary::summarize_export(&config, input, out, as_of) {
            Ok(_) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("onstage: {events}: {e}");
                ExitCode::from(if e.is_io() { IO } else { REFUSED })
            }
        }
    }

    fn simulate(config: &str, timeline: &str, reasons: bool) -> ExitCode {
        let config = match load_config(config) {
            Ok(c) => c,
            Err(code) => return code,
        };
        let input = match open(timeline) {
            Ok(i) => i,
            Err(code) => return code,
        };
        let out = std::io::BufWriter::new(std::io::stdout().lock());
        let options = onstage::simulate::Options { reasons, ..Default::default() };
        match onstage::simulate::simulate(config, input, out, options) {
            Ok(_) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("onstage: {timeline}: {e} [{}]", e.code());
                ExitCode::from(if e.is_io() { IO } else { REFUSED })
            }
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

fn main() -> std::process::ExitCode {
    cli::main()
}
