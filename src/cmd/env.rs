use super::Run;
use crate::cli::EnvArgs;
use crate::error::Result;
use crate::store::Store;
use crate::switch;
use crate::util::print_bytes;

impl Run for EnvArgs {
    fn run(&self) -> Result<()> {
        let kind = self
            .shell
            .unwrap_or_else(|| crate::shell::detect(std::env::var_os("SHELL").as_deref()));
        let store = Store::open()?;
        let profile = match &self.name {
            Some(name) if !self.off => {
                let profile = store.load(name)?;
                store.ensure_binding_dirs(&profile)?;
                Some(profile)
            }
            _ => None,
        };
        let changes = switch::plan(&switch::process_env, profile.as_ref(), store.root());
        print_bytes(&crate::shell::render(kind, &changes))
    }
}
