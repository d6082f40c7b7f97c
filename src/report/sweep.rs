//! sweep csv
