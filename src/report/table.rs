//! Reads one CSV file of a results folder cell by cell, so every error names
//! the file, the line and the column. The header must be exactly the columns
//! nianbao writes (a few optional ones may be absent in older folders); each
//! row is then read left to right with a [`Cells`] cursor whose typed getters
//! refuse what does not parse, with the parser's error as the source.

use super::open::{self, Capped, CSV_CAP};
use crate::error::LoadError;
use csv::StringRecord;
use std::path::{Path, PathBuf};

/// Largest `len` (or `asked`) of one send, recv, message or segment: no
/// experiment sends more than 64 MiB in one message, so 1 GiB is corrupt.
pub const LEN_CAP: u64 = 1 << 30;

/// An open CSV file whose header has been read.
pub struct Table {
    path: PathBuf,
    reader: csv::Reader<Capped>,
    header: Vec<String>,
    /// 1 when lines end in CRLF: the csv reader then places each record at
    /// the `\n` that ends the line before it, one line early.
    crlf: u64,
}

impl Table {
    /// Opens `path` through [`open::open`] and reads its header.
    pub fn open(path: &Path) -> Result<Table, LoadError> {
        let file = open::open(path, CSV_CAP)?;
        let mut reader = csv::ReaderBuilder::new().from_reader(file);
        let header = reader
            .headers()
            .map_err(|e| csv_error(path, e, 1, 0))?
            .iter()
            .map(str::to_string)
            .collect::<Vec<_>>();
        let crlf = u64::from(reader.position().line() == 1);
        let table = Table {
            path: path.to_path_buf(),
            reader,
            header,
            crlf,
        };
        if table.header.iter().all(|h| h.is_empty()) {
            return Err(table.header_error("the file is empty; expected a header".into()));
        }
        Ok(table)
    }

    /// The header as read.
    pub fn header(&self) -> &[String] {
        &self.header
    }

    /// An error about the header (line 1).
    pub fn header_error(&self, msg: String) -> LoadError {
        csv_msg(&self.path, 1, None, msg)
    }

    /// Checks that the header is `columns`, in order, where the ones in
    /// `optional` may be missing (older results folders lack them).
    pub fn expect(&self, columns: &[&str], optional: &[&str]) -> Result<(), LoadError> {
        let expected = columns.join(",");
        let has = |c: &str| self.header.iter().any(|h| h == c);
        let required = columns.iter().filter(|c| !optional.contains(c));
        if let Some(c) = required.clone().find(|c| !has(c)) {
            return Err(self.header_error(format!("missing column `{c}`; expected {expected}")));
        }
        if let Some(h) = self.header.iter().find(|h| !columns.contains(&h.as_str())) {
            return Err(self.header_error(format!("unexpected column `{h}`; expected {expected}")));
        }
        let present = columns.iter().filter(|c| has(c));
        match self.header.len() == present.clone().count()
            && self.header.iter().zip(present).all(|(h, c)| h == c)
        {
            true => Ok(()),
            false => Err(self.header_error(format!(
                "columns out of order or repeated: {}; expected {expected}",
                self.header.join(",")
            ))),
        }
    }

    /// Calls `row` for every data row with a cursor at its first cell.
    pub fn rows(
        &mut self,
        mut row: impl FnMut(&mut Cells) -> Result<(), LoadError>,
    ) -> Result<(), LoadError> {
        let mut rec = StringRecord::new();
        let mut line = 1;
        loop {
            match self.reader.read_record(&mut rec) {
                Ok(false) => return Ok(()),
                Ok(true) => {}
                Err(e) => return Err(csv_error(&self.path, e, line + 1, self.crlf)),
            }
            line = rec.position().map_or(line + 1, |p| p.line() + self.crlf);
            let mut cells = Cells {
                path: &self.path,
                line,
                rec: &rec,
                columns: &self.header,
                at: 0,
            };
            row(&mut cells)?;
        }
    }
}

/// A cursor over one row: each getter reads the next cell.
pub struct Cells<'a> {
    path: &'a Path,
    /// The row's line in the file.
    pub line: u64,
    rec: &'a StringRecord,
    columns: &'a [String],
    at: usize,
}

impl<'a> Cells<'a> {
    /// The column of the cell just read.
    fn column(&self) -> Option<String> {
        self.columns.get(self.at.saturating_sub(1)).cloned()
    }

    /// An error about the cell just read.
    pub fn error(&self, msg: String) -> LoadError {
        csv_msg(self.path, self.line, self.column(), msg)
    }

    fn next_cell(&mut self) -> Option<&'a str> {
        self.at += 1;
        self.rec.get(self.at - 1)
    }

    fn parse<T: std::str::FromStr>(&mut self, what: &str) -> Result<T, LoadError>
    where
        T::Err: std::error::Error + Send + Sync + 'static,
    {
        let text = self.next_cell().unwrap_or("").trim();
        text.parse().map_err(|e: T::Err| LoadError::Csv {
            path: self.path.to_path_buf(),
            line: self.line,
            column: self.column(),
            msg: format!("{text:?} is not {what}"),
            source: Some(Box::new(e)),
        })
    }

    /// A whole number that fits `u32`.
    pub fn u32(&mut self) -> Result<u32, LoadError> {
        self.parse("a whole number up to 4294967295")
    }

    /// A whole number.
    pub fn u64(&mut self) -> Result<u64, LoadError> {
        self.parse("a whole number")
    }

    /// A byte count: a whole number no larger than [`LEN_CAP`].
    pub fn len(&mut self) -> Result<u64, LoadError> {
        let n = self.u64()?;
        match n > LEN_CAP {
            true => Err(self.error(format!(
                "{n} bytes is over the {} cap",
                crate::units::format_size(LEN_CAP)
            ))),
            false => Ok(n),
        }
    }

    /// A whole number, or `None` for an empty cell.
    pub fn opt_u64(&mut self) -> Result<Option<u64>, LoadError> {
        if self.rec.get(self.at).map(str::trim) == Some("") {
            self.at += 1;
            return Ok(None);
        }
        self.u64().map(Some)
    }

    /// A number, or `None` for an empty cell (NaN and infinities parse:
    /// the caller checks the range).
    pub fn opt_f64(&mut self) -> Result<Option<f64>, LoadError> {
        if self.rec.get(self.at).map(str::trim) == Some("") {
            self.at += 1;
            return Ok(None);
        }
        self.parse("a number").map(Some)
    }

    /// `true` or `false`.
    pub fn bool(&mut self) -> Result<bool, LoadError> {
        self.parse("true or false")
    }

    /// One of `all`, by its name.
    pub fn pick<T: Copy>(
        &mut self,
        all: &[T],
        name: fn(T) -> &'static str,
    ) -> Result<T, LoadError> {
        let text = self.next_cell().unwrap_or("").trim();
        all.iter()
            .copied()
            .find(|v| name(*v) == text)
            .ok_or_else(|| {
                let names: Vec<&str> = all.iter().map(|v| name(*v)).collect();
                self.error(format!("{text:?} is not one of {}", names.join(", ")))
            })
    }

    /// The cell as text.
    pub fn text(&mut self) -> String {
        self.next_cell().unwrap_or("").to_string()
    }

    /// Whether the file has the (optional) column `name`.
    pub fn has(&self, name: &str) -> bool {
        self.columns.iter().any(|c| c == name)
    }
}

/// A CSV error with its place.
pub fn csv_msg(path: &Path, line: u64, column: Option<String>, msg: String) -> LoadError {
    LoadError::Csv {
        path: path.to_path_buf(),
        line,
        column,
        msg,
        source: None,
    }
}

/// Turns an error of the csv reader into one that names the file and line.
fn csv_error(path: &Path, err: csv::Error, fallback_line: u64, crlf: u64) -> LoadError {
    let line = err.position().map_or(fallback_line, |p| p.line() + crlf);
    match err.into_kind() {
        csv::ErrorKind::Io(source) => LoadError::Io {
            path: path.to_path_buf(),
            source,
        },
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => csv_msg(
            path,
            line,
            None,
            format!("has {len} cells where the header has {expected_len}"),
        ),
        csv::ErrorKind::Utf8 { err, .. } => LoadError::Csv {
            path: path.to_path_buf(),
            line,
            column: None,
            msg: "not valid UTF-8".into(),
            source: Some(Box::new(err)),
        },
        other => csv_msg(path, line, None, format!("{:?}", other)),
    }
}
