//! Where `check` writes: standard output or `-o FILE`, through `anstream`, which decides
//! colour (`--color`, then `NO_COLOR`, `CLICOLOR_FORCE`, `CLICOLOR`, `TERM=dumb`, whether it is
//! a terminal) and strips every escape sequence when colour is off.

use super::terminal::inert;
use super::ColorChoice;
use anstream::stream::RawStream;
use anstream::AutoStream;
use std::io::Write;

/// The output stream and whether it gets colour.
pub struct Output {
    target: Target,
    choice: anstream::ColorChoice,
}

enum Target {
    Stdout,
    File(String, std::fs::File),
}

fn resolve<S: RawStream>(choice: ColorChoice, raw: &S) -> anstream::ColorChoice {
    match choice {
        ColorChoice::Always => anstream::ColorChoice::Always,
        ColorChoice::Never => anstream::ColorChoice::Never,
        ColorChoice::Auto => AutoStream::choice(raw),
    }
}

impl Output {
    /// Standard output, or `path` created (or truncated).
    pub fn open(path: Option<&str>, choice: ColorChoice) -> Result<Output, String> {
        match path {
            None => Ok(Output {
                choice: resolve(choice, &std::io::stdout()),
                target: Target::Stdout,
            }),
            Some(p) => {
                let file = std::fs::File::create(p)
                    .map_err(|e| format!("error: {}: could not be written: {e}", inert(p)))?;
                Ok(Output {
                    choice: resolve(choice, &file),
                    target: Target::File(p.to_string(), file),
                })
            }
        }
    }

    /// Whether to style the text.
    pub fn color(&self) -> bool {
        self.choice != anstream::ColorChoice::Never
    }

    /// Writes everything. A closed standard output (`| head`) is not an error; a file that
    /// cannot be written is.
    pub fn write(&mut self, text: &str) -> Result<(), String> {
        match &mut self.target {
            Target::Stdout => {
                let mut s = AutoStream::new(std::io::stdout().lock(), self.choice);
                let _ = s.write_all(text.as_bytes()).and_then(|_| s.flush());
                Ok(())
            }
            Target::File(name, file) => {
                let mut s = AutoStream::new(&mut *file, self.choice);
                s.write_all(text.as_bytes())
                    .and_then(|_| s.flush())
                    .map_err(|e| format!("error: {}: could not be written: {e}", inert(name)))
            }
        }
    }
}
