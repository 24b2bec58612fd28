use super::Run;
use crate::cli::AddArgs;
use crate::error::Result;
use crate::recipe::Recipe;
use crate::store::{DEFAULT_BINDINGS, ProfileSpec, Store};

impl Run for AddArgs {
    fn run(&self) -> Result<()> {
        crate::names::check_profile_name(&self.name)?;
        for var in &self.binds {
            crate::names::check_var_name(var)
                .map_err(|e| crate::Error::user(format!("{e}; leave out --bind {var}")))?;
        }
        let store = Store::open_or_create()?;
        let mut spec = ProfileSpec::default();
        for tool in &self.tools {
            let (recipe, verified) = Recipe::lookup(&store, tool)?;
            if !verified {
                eprintln!(
                    "swop: warning: the {tool} recipe ({}) is built in and not yet verified on this machine; \
                     verify it with: swop discover --record {tool} -- {tool} ...",
                    recipe.bindings.join(", ")
                );
            }
            spec.tools.push(recipe.tool.clone());
            push_unique(&mut spec.bindings, &recipe.bindings);
            push_unique(&mut spec.unset, &recipe.unset);
        }
        push_unique(&mut spec.bindings, &self.binds);
        if spec.bindings.is_empty() {
            push_unique(&mut spec.bindings, &DEFAULT_BINDINGS.map(String::from));
        }
        let profile = store.create(&self.name, &spec)?;
        let vars: Vec<&str> = profile.bindings.iter().map(|b| b.var.as_str()).collect();
        eprintln!(
            "swop: created profile {:?} ({}) in {}",
            profile.name,
            vars.join(", "),
            profile.dir.display()
        );
        Ok(())
    }
}

fn push_unique(into: &mut Vec<String>, items: &[String]) {
    for item in items {
        if !into.contains(item) {
            into.push(item.clone());
        }
    }
}
