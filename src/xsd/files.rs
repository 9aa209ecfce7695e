//! Validating files, for `kontrakt xsd validate --schema main.xsd a.xml b.xml`.

use std::io::{BufReader, Read};
use std::num::NonZeroUsize;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

use super::{CompileOptions, SchemaError, SchemaSet, ValidationError};

/// What happened to one instance file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileOutcome {
    Valid,
    /// Not schema-valid: the errors (line, column, path, message).
    Invalid(Vec<ValidationError>),
    /// Could not be validated: unreadable or not well-formed.
    Unreadable(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileResult {
    pub path: PathBuf,
    pub outcome: FileOutcome,
}

/// Compiles `schema` once and validates every document on `jobs` threads. A schema error is
/// returned as Err (exit 2); otherwise one result per document in input order (exit 0 when all
/// are Valid, 1 when some are Invalid, 2 when some are Unreadable).
pub fn validate_files(
    schema: &[PathBuf],
    docs: &[PathBuf],
    jobs: NonZeroUsize,
) -> Result<Vec<FileResult>, SchemaError> {
    let set = SchemaSet::compile(schema, &CompileOptions::default())?;
    let next = AtomicUsize::new(0);
    // each worker takes the next unvalidated document, so one large file does not hold up a
    // whole share of the list
    let work = || {
        let mut done = vec![];
        let mut buffer = vec![];
        loop {
            let index = next.fetch_add(1, Ordering::Relaxed);
            let Some(path) = docs.get(index) else { break };
            let outcome = validate_file(&set, path, &mut buffer);
            done.push((
                index,
                FileResult {
                    path: path.clone(),
                    outcome,
                },
            ));
        }
        done
    };
    let workers = jobs.get().min(docs.len()).max(1);
    let mut results: Vec<(usize, FileResult)> = std::thread::scope(|scope| {
        let helpers: Vec<_> = (1..workers).map(|_| scope.spawn(work)).collect();
        let mut all = work();
        for helper in helpers {
            all.extend(
                helper
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
            );
        }
        all
    });
    results.sort_unstable_by_key(|(index, _)| *index);
    Ok(results.into_iter().map(|(_, result)| result).collect())
}

/// Documents up to this size are read whole and validated through a tree, which for documents
/// of a few kilobytes is faster than streaming (quick-xml checks UTF-8 per event, the tree's text
/// is checked once, with SIMD) and costs little memory; larger ones are streamed, so memory does
/// not grow with them.
pub(super) const TREE_UP_TO_BYTES: u64 = 1 << 20;

/// Validates the document at `path`; a small one is read into `buffer` (reused from file to
/// file), a large one validated as it is read.
fn validate_file(set: &SchemaSet, path: &PathBuf, buffer: &mut Vec<u8>) -> FileOutcome {
    let mut file = match std::fs::File::open(path) {
        Ok(file) => file,
        Err(e) => return FileOutcome::Unreadable(format!("cannot read: {e}")),
    };
    let small = file
        .metadata()
        .is_ok_and(|m| m.is_file() && m.len() <= TREE_UP_TO_BYTES);
    let validated = if small {
        buffer.clear();
        match file.read_to_end(buffer) {
            Ok(_) => set.validate_bytes(buffer),
            Err(e) => Err(e.into()),
        }
    } else {
        // large enough that reading is a few system calls per megabyte
        set.validate_reader(BufReader::with_capacity(1 << 16, file))
    };
    match validated {
        Ok(report) if report.errors.is_empty() => FileOutcome::Valid,
        Ok(report) => FileOutcome::Invalid(report.errors),
        Err(e) => FileOutcome::Unreadable(e.to_string()),
    }
}
