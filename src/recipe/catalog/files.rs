//! Files that programs read from a variable, whichever tool a profile is
//! for, and the name each gets inside a profile (`--bind-file VAR`). The
//! tools of the catalog name their own files; these are the rest that
//! people keep per account: credentials, configuration and history.

/// A variable that names one file, and that file's usual name.
pub struct FileVariable {
    pub var: &'static str,
    pub file: &'static str,
}

const fn file(var: &'static str, file: &'static str) -> FileVariable {
    FileVariable { var, file }
}

pub const FILE_VARIABLES: &[FileVariable] = &[
    // Google's client libraries and gcloud: application default credentials.
    file("GOOGLE_APPLICATION_CREDENTIALS", "credentials.json"),
    // Python's requests, the go command.
    file("NETRC", ".netrc"),
    // psql, and libpq for every PostgreSQL client.
    file("PSQLRC", ".psqlrc"),
    file("PGPASSFILE", ".pgpass"),
    file("PGSERVICEFILE", ".pg_service.conf"),
    // Taskwarrior.
    file("TASKRC", ".taskrc"),
    // HashiCorp Vault's CLI.
    file("VAULT_CONFIG_PATH", ".vault"),
    // The history of node's REPL, the sqlite3 shell, Python's REPL (3.13
    // and later), the mysql client and less.
    file("NODE_REPL_HISTORY", ".node_repl_history"),
    file("SQLITE_HISTORY", ".sqlite_history"),
    file("PYTHON_HISTORY", ".python_history"),
    file("MYSQL_HISTFILE", ".mysql_history"),
    file("LESSHISTFILE", ".lesshst"),
    // readline and wget.
    file("INPUTRC", ".inputrc"),
    file("WGETRC", ".wgetrc"),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_file_variable_may_be_bound_and_names_one_file() {
        for f in FILE_VARIABLES {
            assert!(crate::names::check_binding_name(f.var).is_ok(), "{}", f.var);
            assert!(!f.file.contains('/') && !f.file.is_empty(), "{}", f.var);
        }
    }
}
