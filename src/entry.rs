//! Entering a profile: the one way `env`, `exec`, `shell`, `status` and
//! what comes next go into one. The profile is loaded and checked, its lock
//! taken as the command asks (a shell's switch takes none), its folders
//! made, and the switch planned from this process's environment; then the
//! plan is applied to a command, or printed for a shell.
//!
//! The order is the lock's: a command takes the profile before it makes
//! anything in it, so that `swop rm`, which holds it exclusively while it
//! deletes, never sees a folder made behind its back.

use std::process::Command;

use crate::error::Result;
use crate::lock::{CommandLock, LOCK_FD_VAR, LockMode, ProfileLock, Wait};
use crate::shell::ShellKind;
use crate::store::{Profile, Store};
pub use crate::switch::told::Say;
use crate::switch::{self, Plan};

/// How a command enters a profile: the lock it runs under, and who holds it.
/// What a command may ask of its entry grows here (sealing, a profile
/// picked among several) rather than in each command.
#[derive(Debug, Clone, Copy)]
pub struct Options<'w> {
    pub mode: LockMode,
    pub wait: Option<Wait>,
    /// The command, redacted: for the holder record and messages.
    pub what: &'w str,
    /// Who holds the lock while the command runs: the command itself, which
    /// inherits it across exec and keeps it as long as any of its processes
    /// runs (`exec`, `shell`); or swop, which lets go when the command is done
    /// (`status`).
    pub holder: Holder,
}

/// Who holds a command's lock, see [`Options::holder`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Holder {
    Command,
    Swop,
}

/// A profile entered (or every profile left): what to change, under which
/// lock, held for as long as the entry lives.
pub struct Entry<'a> {
    profile: Option<&'a Profile>,
    /// The store's root: where what was said in this session is kept.
    store_root: std::path::PathBuf,
    lock: CommandLock,
    holder: Holder,
    plan: Plan,
}

impl<'a> Entry<'a> {
    /// A shell's switch to `profile`, or out of every profile (`None`): no lock.
    pub fn switch(store: &Store, profile: Option<&'a Profile>) -> Result<Entry<'a>> {
        Self::new(store, profile, CommandLock::Unlocked, Holder::Swop)
    }

    /// A command's entry into `profile`, as `options` ask.
    pub fn command(store: &Store, profile: &'a Profile, options: &Options) -> Result<Entry<'a>> {
        // A command already running under this profile's lock (a wrapped tool
        // in `swop shell`, a script run by `swop exec`) is part of the holder:
        // it goes on under the lock it inherited instead of waiting for itself.
        let lock = ProfileLock::for_command(profile, options.mode, options.wait, options.what)?;
        Self::locked(store, profile, lock, options.holder)
    }

    /// A command's entry into the first of `candidates` that can take it
    /// (see [`crate::pick`]), and the line that says why it was chosen.
    /// `options` ask as for [`Entry::command`], but for the lock's mode,
    /// which `mode_of` gives each candidate: without `--lock` it depends on
    /// the profile's tools.
    pub fn pick(
        store: &Store,
        candidates: &'a [Profile],
        options: &Options,
        mode_of: impl Fn(&Profile) -> LockMode,
    ) -> Result<(Entry<'a>, String)> {
        let picked = crate::pick::choose(candidates, mode_of, options.wait, options.what)?;
        let entry = Self::locked(
            store,
            &candidates[picked.index],
            picked.lock,
            options.holder,
        )?;
        Ok((entry, picked.reason))
    }

    /// The entry into `profile`, whose lock is taken already.
    fn locked(
        store: &Store,
        profile: &'a Profile,
        lock: CommandLock,
        holder: Holder,
    ) -> Result<Entry<'a>> {
        Self::new(store, Some(profile), lock, holder)
    }

    /// The entry into `profile`, or out of every profile, under `lock`: its
    /// folders made, its switch planned.
    fn new(
        store: &Store,
        profile: Option<&'a Profile>,
        lock: CommandLock,
        holder: Holder,
    ) -> Result<Entry<'a>> {
        if let Some(profile) = profile {
            store.ensure_binding_dirs(profile)?;
        }
        Ok(Entry {
            profile,
            store_root: store.root().to_path_buf(),
            lock,
            holder,
            plan: plan(store, profile)?,
        })
    }

    /// The profile entered; `None` for a switch out of every profile.
    pub fn profile(&self) -> Option<&'a Profile> {
        self.profile
    }

    /// Say on stderr what the plan had to leave out of the record it read:
    /// at every switch, as a forged or stale record is worth hearing of.
    pub fn warn(&self) {
        for warning in &self.plan.warnings {
            eprintln!("swop: warning: {warning}");
        }
    }

    /// Say which inherited variables the switch removes, which point the
    /// profile's tools back into the real home, and, to a shell, that a
    /// sealed profile's shell is not sealed: `say` tells whether
    /// always or once in this shell (see [`switch::told`]); notices are
    /// silenced by `quiet`. `in_shell` adds how a shell gets the removed
    /// ones back.
    pub fn notice(&self, in_shell: bool, say: Say) {
        let Some(profile) = self.profile else {
            return;
        };
        let removed = self
            .plan
            .removed
            .iter()
            .map(|var| (format!("removed {var}"), var.clone()));
        let into_home = self
            .plan
            .into_home
            .iter()
            .map(|(var, line)| (format!("into home {var}"), line.clone()));
        // A switched shell runs its commands unsealed, wrapped tools aside.
        let unsealed = (in_shell && profile.seal).then(|| {
            (
                format!("sealed {}", profile.name),
                format!(
                    "profile {0:?} is sealed, but a shell already running cannot be sealed after \
                     the fact: its commands run unsealed, except wrapped tools; for a sealed \
                     shell, run swop shell {0}",
                    profile.name
                ),
            )
        });
        let notices = removed.chain(into_home).chain(unsealed).collect();
        let said = switch::told::filter(&switch::process_env, &self.store_root, notices, say);
        let (removed, others): (Vec<_>, Vec<_>) = said
            .into_iter()
            .partition(|(key, _)| key.starts_with("removed "));
        for (key, line) in others {
            match key.starts_with("sealed ") {
                true => eprintln!("swop: {line}"),
                false => eprintln!("swop: warning: {line}"),
            }
        }
        let removed: Vec<String> = removed.into_iter().map(|(_, var)| var).collect();
        if let Some(notice) = switch::removal_notice(&removed, profile, in_shell) {
            eprintln!("swop: {notice}");
        }
    }

    /// Refuse a switch that a shell of `kind` cannot make: a value it
    /// cannot say in its syntax.
    pub fn check_shell(&self, kind: ShellKind) -> Result<()> {
        Ok(crate::shell::check(kind, &self.plan.changes)?)
    }

    /// What a shell evaluates to make the switch, in the syntax of `kind`.
    pub fn shell_text(&self, kind: ShellKind) -> Vec<u8> {
        crate::shell::render(kind, &self.plan.changes)
    }

    /// Seal `cmd` (see [`crate::seal`]), with the places `allow_write`
    /// allows too: the last step before exec, as on Linux it seals this
    /// very process, which the command replaces.
    pub fn seal(
        &self,
        store: &Store,
        cmd: &mut Command,
        allow_write: Vec<std::path::PathBuf>,
    ) -> Result<()> {
        match self.profile {
            Some(profile) => {
                crate::seal::seal_command(store, profile, &self.plan.changes, allow_write, cmd)
            }
            None => Ok(()),
        }
    }

    /// Give `cmd` the profile's environment and, when the command holds
    /// it, the lock: a lock this swop took goes with the command across
    /// exec, one inherited is named again. Otherwise no name of a lock is
    /// left, which would name a descriptor that means nothing there.
    pub fn apply(&self, cmd: &mut Command) -> Result<()> {
        for marker in switch::MARKERS {
            cmd.env_remove(marker);
        }
        for (var, value) in &self.plan.changes {
            match value {
                Some(value) => cmd.env(var, value),
                None => cmd.env_remove(var),
            };
        }
        match (&self.lock, self.holder) {
            (CommandLock::Own(held), Holder::Command) => {
                held.inherit_across_exec()?;
                cmd.env(LOCK_FD_VAR, held.fd().to_string());
            }
            (CommandLock::Inherited(fd), Holder::Command) => {
                cmd.env(LOCK_FD_VAR, fd.to_string());
            }
            _ => {
                cmd.env_remove(LOCK_FD_VAR);
            }
        }
        Ok(())
    }
}

fn plan(store: &Store, profile: Option<&Profile>) -> Result<Plan> {
    switch::plan(&switch::Current::process(store), profile, store.root())
}

/// After the exports that switch a shell back (`swop off`): say so when the
/// shell itself holds its profile's lock, as `swop shell` does, which only
/// its end lets go.
pub fn say_if_still_held() {
    if std::env::var_os(LOCK_FD_VAR).is_none() {
        return;
    }
    let Some(name) = std::env::var_os(switch::PROFILE_VAR)
        .and_then(|name| name.into_string().ok())
        .filter(|name| crate::names::is_profile_name(name))
    else {
        return;
    };
    let held = Store::open()
        .and_then(|store| store.load(&name))
        .is_ok_and(|profile| crate::lock::handed_down_by_holder(&profile));
    if held {
        eprintln!(
            "swop: this shell's variables are back, but the shell holds the lock of profile \
             {name:?} until it ends (swop shell started it): exit to leave the profile"
        );
    }
}

/// The exports that switch a shell to `name`, or back (`None`): for
/// `shell`, else the shell that runs swop (asked once the switch is known
/// to be possible, so that a missing profile is said first), in the syntax
/// `syntax` gives for it (the nushell function reads JSON, as nushell cannot
/// evaluate text it is handed).
pub fn switch_text(
    name: Option<&str>,
    shell: Option<ShellKind>,
    syntax: Option<fn(ShellKind) -> ShellKind>,
) -> Result<Vec<u8>> {
    let store = Store::open()?;
    let profile = name.map(|name| store.load(name)).transpose()?;
    let entry = Entry::switch(&store, profile.as_ref())?;
    let shell = match shell {
        Some(kind) => kind,
        None => crate::shell::detect()?,
    };
    entry.warn();
    entry.check_shell(shell)?;
    entry.notice(true, Say::Once);
    let syntax = syntax.map_or(shell, |syntax| syntax(shell));
    Ok(entry.shell_text(syntax))
}
